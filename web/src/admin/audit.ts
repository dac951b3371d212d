/**
 * An audit entry's `before` and `after` (free-form objects) as the list of what changed, in words
 * a person reads ("branding.primaryColor: #0b5394 → #c0392b"), never as raw JSON. Pure.
 */

/** The audit actions the platform records (shared/*: `audit_log.record(action=...)`), for the filter. */
export const KNOWN_ACTIONS = [
  "attempt.graded",
  "attempt.regrade",
  "certificate.revoked",
  "enrollment.assigned",
  "enrollment.changed",
  "progress.manual_completion",
  "question_draft.approved",
  "question_draft.rejected",
  "tenant.created",
  "tenant.settings_changed",
  "user.roles_changed",
] as const;

export const ACTION_PATTERN = /^[a-z._]+$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Leaf values by dotted path; arrays of scalars stay one value ("a, b"), objects are walked. */
export function flatten(value: unknown, prefix = "", out: Map<string, string> = new Map()): Map<string, string> {
  if (value === null || value === undefined) {
    if (prefix) out.set(prefix, "");
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) out.set(prefix, value.map((v) => String(v)).join(", "));
    else value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
    return out;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 0 && prefix) out.set(prefix, "");
    for (const [key, v] of entries) flatten(v, prefix ? `${prefix}.${key}` : key, out);
    return out;
  }
  out.set(prefix, String(value));
  return out;
}

export interface Change {
  field: string;
  before: string | null;
  after: string | null;
}

/** The fields whose value differs between `before` and `after` (absent on one side: null), sorted. */
export function changes(before: unknown, after: unknown): Change[] {
  const b = flatten(before ?? {});
  const a = flatten(after ?? {});
  const fields = [...new Set([...b.keys(), ...a.keys()])].sort();
  return fields
    .filter((f) => b.get(f) !== a.get(f))
    .map((field) => ({ field, before: b.has(field) ? (b.get(field) as string) : null, after: a.has(field) ? (a.get(field) as string) : null }));
}
