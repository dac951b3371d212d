/**
 * RFC 9457 problem+json answers of the API as one typed error. Every failed call of the client
 * becomes an ApiProblem, so a screen shows `detail` in words and a form shows `fieldErrors`.
 */
import { t } from "../i18n/messages";

export interface FieldError {
  location: string;
  message: string;
}

interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: unknown;
  [key: string]: unknown;
}

/** The field a 422 error names: "body.branding.primaryColor" -> "branding.primaryColor". */
export function fieldOf(location: string): string {
  const parts = location.split(".");
  const [first] = parts;
  if (first === "body" || first === "query" || first === "path" || first === "header") parts.shift();
  return parts.join(".");
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  /** Extra members of the problem (for example the missing prerequisites of a blocked enrollment). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, body: ProblemBody | null) {
    const title = typeof body?.title === "string" ? body.title : t("error.unknownTitle");
    const detail = typeof body?.detail === "string" ? body.detail : t("error.status", { status });
    super(detail);
    this.name = "ApiProblem";
    this.status = status;
    this.type = typeof body?.type === "string" ? body.type : "about:blank";
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(body?.errors) ? body.errors.filter(isFieldError) : [];
    const { type: _t, title: _ti, status: _s, detail: _d, errors: _e, ...extra } = body ?? {};
    this.extra = extra;
  }

  /** Field errors keyed by field path (the first message of each field). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const key = fieldOf(e.location);
      if (!(key in out)) out[key] = e.message;
    }
    return out;
  }

  static network(cause: unknown): ApiProblem {
    const problem = new ApiProblem(0, { title: t("error.networkTitle"), detail: t("error.network") });
    (problem as { cause?: unknown }).cause = cause;
    return problem;
  }

  static async fromResponse(response: Response): Promise<ApiProblem> {
    let body: ProblemBody | null = null;
    try {
      const text = await response.clone().text();
      body = text ? (JSON.parse(text) as ProblemBody) : null;
    } catch {
      body = null;
    }
    return new ApiProblem(response.status, body);
  }
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as FieldError).location === "string" &&
    typeof (value as FieldError).message === "string"
  );
}

export function isApiProblem(value: unknown): value is ApiProblem {
  return value instanceof ApiProblem;
}

/** Words for any error a screen catches. */
export function describeError(error: unknown): string {
  if (error instanceof ApiProblem) return error.detail;
  if (error instanceof Error && error.message) return error.message;
  return t("error.unknown");
}
