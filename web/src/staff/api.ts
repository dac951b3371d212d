/** Calls the staff screens make beyond `unwrap`: answers with their ETag, every page of a list, raw bodies. */
import { authorizedFetch, unwrapWithResponse } from "../api/client";

export interface Tagged<T> {
  data: T;
  /** The ETag to send as If-Match with the next change, so a concurrent edit is refused (412), not overwritten. */
  etag: string | null;
}

/** The data and ETag of a successful call, or an ApiProblem for a failed one. */
export async function unwrapTagged<T>(call: Parameters<typeof unwrapWithResponse<T>>[0]): Promise<Tagged<T>> {
  const { data, response } = await unwrapWithResponse(call);
  return { data, etag: response.headers.get("ETag") };
}

/** Every item of a continuation-paged list, up to `max` items (a roster, a tenant's banks). */
export async function allPages<T>(
  page: (continuation: string | undefined) => Promise<{ items: T[]; continuation?: string | null }>,
  max = 1000,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let continuation: string | undefined;
  for (;;) {
    const next = await page(continuation);
    items.push(...next.items);
    if (items.length >= max) return { items: items.slice(0, max), truncated: Boolean(next.continuation) || items.length > max };
    if (!next.continuation) return { items, truncated: false };
    continuation = next.continuation;
  }
}

/** A body the typed client does not send (CSV, WebVTT): the raw request with the session's token. */
export async function sendRaw<T>(path: string, method: string, body: Blob | string, contentType: string): Promise<T> {
  const response = await authorizedFetch(path, { method, body, headers: { "Content-Type": contentType, Accept: "application/json" } });
  return (await response.json()) as T;
}
