/** Words for the admin area's enumerations (roles, statuses, flags, import outcomes). */
import { labeller } from "../staff/labels";

export const TENANT_ROLES = ["TenantAdmin", "Instructor", "Learner", "SupportReadonly"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export const roleLabel = labeller("admin.role");
export const userStatusLabel = labeller("admin.userStatus");
export const flagLabel = labeller("admin.flag");
export const outcomeLabel = labeller("admin.import.outcome");
