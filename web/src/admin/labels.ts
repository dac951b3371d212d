/** Words for the admin area's enumerations (roles, statuses, flags, import outcomes). */
import { t, type MessageKey } from "../i18n/messages";

export const TENANT_ROLES = ["TenantAdmin", "Instructor", "Learner", "SupportReadonly"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

function label(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  const text = t(key);
  return text === key ? value : text;
}

export const roleLabel = (role: string) => label("admin.role", role);
export const userStatusLabel = (status: string) => label("admin.userStatus", status);
export const flagLabel = (flag: string) => label("admin.flag", flag);
export const outcomeLabel = (outcome: string) => label("admin.import.outcome", outcome);
