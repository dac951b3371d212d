/**
 * The app's one ProgressBatcher per signed-in user: batches go to `POST /api/v1/progress` with
 * fetch (keepalive when the page is being hidden or left), pending work is kept in sessionStorage,
 * and the page lifecycle flushes it: `visibilitychange` to hidden and `pagehide`.
 */
import { bearerToken } from "../../api/client";
import { ApiProblem } from "../../api/problem";
import { apiUrl } from "../../config";
import { ProgressBatcher, type Batch, type SendOutcome } from "./batcher";

export async function sendBatch(batch: Batch, { keepalive }: { keepalive: boolean }): Promise<SendOutcome> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  const token = await bearerToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(apiUrl("/api/v1/progress"), { method: "POST", headers, body: JSON.stringify(batch), keepalive });
  } catch {
    return { ok: false, retry: true };
  }
  if (response.ok) {
    const receipt: unknown = keepalive ? undefined : await response.json().catch(() => undefined);
    return { ok: true, receipt };
  }
  const problem = await ApiProblem.fromResponse(response);
  // 401: the token ended; the batch is kept and goes out once the learner signs in again.
  const retry = response.status >= 500 || response.status === 429 || response.status === 408 || response.status === 401;
  return { ok: false, retry, detail: problem.detail };
}

let current: { key: string; batcher: ProgressBatcher; detach: () => void } | null = null;
const receiptListeners = new Set<(receipt: unknown) => void>();

/** Called with each acknowledged batch's receipt (the course percentages the server computed). */
export function onProgressReceipt(listener: (receipt: unknown) => void): () => void {
  receiptListeners.add(listener);
  return () => receiptListeners.delete(listener);
}

/** The batcher of this user (created on first use, with the page-lifecycle flushes attached). */
export function progressBatcher(tenantId: string, userId: string): ProgressBatcher {
  const key = `lms.progress.${tenantId}.${userId}`;
  if (current?.key === key) return current.batcher;
  current?.detach();
  const batcher = new ProgressBatcher({
    send: sendBatch,
    storage: typeof sessionStorage === "undefined" ? null : sessionStorage,
    storageKey: key,
    onReceipt: (receipt) => receiptListeners.forEach((l) => l(receipt)),
  });
  const onVisibility = () => {
    if (document.visibilityState === "hidden") void batcher.flush({ keepalive: true });
  };
  const onPageHide = () => void batcher.flush({ keepalive: true });
  document.addEventListener("visibilitychange", onVisibility);
  window.addEventListener("pagehide", onPageHide);
  batcher.start();
  current = {
    key,
    batcher,
    detach: () => {
      batcher.stop();
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onPageHide);
    },
  };
  return batcher;
}

/** The last playback position of a video lesson on this device, to resume from. */
export function positionKey(tenantId: string, userId: string, courseId: string, lessonId: string): string {
  return `lms.position.${tenantId}.${userId}.${courseId}.${lessonId}`;
}

export function readPosition(key: string): number | null {
  try {
    const value = Number(localStorage.getItem(key));
    return Number.isFinite(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

export function writePosition(key: string, position: number): void {
  try {
    localStorage.setItem(key, String(Math.floor(position * 10) / 10));
  } catch {
    // Storage unavailable: playback starts at the beginning next time.
  }
}

/** Where to resume: the saved position, unless it is at the very end (then from the start). */
export function resumeAt(saved: number | null, duration: number | null): number {
  if (saved === null || saved < 1) return 0;
  if (duration !== null && Number.isFinite(duration) && saved >= duration - 3) return 0;
  return saved;
}

/** Sends what is pending and lets the batcher go (sign-out). */
export async function closeProgress(): Promise<void> {
  if (!current) return;
  const { batcher, detach } = current;
  current = null;
  await batcher.flush({ keepalive: true }).catch(() => undefined);
  detach();
}
