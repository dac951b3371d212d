/**
 * The one typed client of the API, generated from the server's OpenAPI document
 * (`schema.d.ts`, regenerated with `npm run gen:api`). Every call sends the session's bearer token;
 * every failure becomes an `ApiProblem` (see problem.ts) through `unwrap`.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { config, apiUrl } from "../config";
import { ApiProblem } from "./problem";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

type TokenProvider = () => Promise<string | null>;
type UnauthorizedListener = () => void;

let tokenProvider: TokenProvider = async () => null;
let onUnauthorized: UnauthorizedListener = () => undefined;

/** The session registers how a bearer token is obtained (dev sign-in or Entra). */
export function setTokenProvider(provider: TokenProvider): void {
  tokenProvider = provider;
}

/** Called when the API answers 401 to a signed-in call (an expired or revoked token). */
export function setUnauthorizedListener(listener: UnauthorizedListener): void {
  onUnauthorized = listener;
}

export async function bearerToken(): Promise<string | null> {
  return tokenProvider();
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await tokenProvider();
    if (token && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has("Authorization")) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: config.apiBaseUrl });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** openapi-fetch has read the failed response's body already: its parsed JSON is `error`. */
function problemOf(result: FetchResult<unknown>): ApiProblem {
  const body = typeof result.error === "object" && result.error !== null ? (result.error as Record<string, unknown>) : null;
  return new ApiProblem(result.response.status, body);
}

/** The data of a successful call, or an ApiProblem thrown for a failed one (or a network failure). */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  return (await unwrapWithResponse(call)).data;
}

/** Like unwrap, with the response too (for its headers: the quiz reads the server's Date). */
export async function unwrapWithResponse<T>(call: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw ApiProblem.network(cause);
  }
  if (!result.response.ok) throw problemOf(result);
  return { data: result.data as T, response: result.response };
}

/**
 * A raw request with the session's token, for what the typed client does not cover: binary
 * downloads (certificate PDFs) and `keepalive` beacons sent while the page goes away.
 */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = await tokenProvider();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { ...init, headers });
  } catch (cause) {
    throw ApiProblem.network(cause);
  }
  if (!response.ok) {
    if (response.status === 401 && token) onUnauthorized();
    throw await ApiProblem.fromResponse(response);
  }
  return response;
}
