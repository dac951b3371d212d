/**
 * Tenant settings: the form of `GET /api/v1/tenant` and the PATCH that sends only what changed
 * (the server audits each change with its before and after, so an unchanged field stays out). Pure.
 */
import type { Schemas } from "../api/client";

export type Tenant = Schemas["TenantView"];
export type TenantPatch = Schemas["TenantPatch"];

/** Flags a K-12 tenant never has, whatever its own choice (shared/tenancy/model.py K12_FORCED_OFF). */
export const K12_FORCED_OFF = ["leaderboards", "analytics_export", "third_party_trackers"] as const;

export interface SettingsForm {
  name: string;
  displayName: string;
  primaryColor: string;
  accentColor: string;
  logoUrl: string;
  flags: Record<string, boolean>;
  k12: boolean;
  trackers: string;
  auditDays: string;
  activityDays: string;
  reason: string;
}

export function toSettingsForm(tenant: Tenant): SettingsForm {
  return {
    name: tenant.name,
    displayName: tenant.branding.displayName ?? "",
    primaryColor: tenant.branding.primaryColor ?? "#1f4e79",
    accentColor: tenant.branding.accentColor ?? "#f2a900",
    logoUrl: tenant.branding.logoUrl ?? "",
    flags: { ...tenant.flags },
    k12: tenant.k12,
    trackers: tenant.trackers.join(", "),
    auditDays: String(tenant.retention?.auditDays ?? ""),
    activityDays: String(tenant.retention?.activityDays ?? ""),
    reason: "",
  };
}

function list(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function days(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? Number.NaN : Number(trimmed);
}

/** Whether a flag is forced off by K-12 (shown, but not changeable, while K-12 is on). */
export function forcedOff(flag: string, k12: boolean): boolean {
  return k12 && (K12_FORCED_OFF as readonly string[]).includes(flag);
}

/** The PATCH body of what the form changed (null when nothing did). */
export function settingsPatch(tenant: Tenant, form: SettingsForm): TenantPatch | null {
  const patch: TenantPatch = {};
  if (form.name.trim() !== tenant.name) patch.name = form.name.trim();

  const branding: NonNullable<TenantPatch["branding"]> = {};
  const displayName = form.displayName.trim() || null;
  if (displayName !== (tenant.branding.displayName ?? null)) branding.displayName = displayName;
  if (form.primaryColor.toLowerCase() !== (tenant.branding.primaryColor ?? "").toLowerCase()) branding.primaryColor = form.primaryColor;
  if (form.accentColor.toLowerCase() !== (tenant.branding.accentColor ?? "").toLowerCase()) branding.accentColor = form.accentColor;
  const logoUrl = form.logoUrl.trim() || null;
  if (logoUrl !== (tenant.branding.logoUrl ?? null)) branding.logoUrl = logoUrl;
  if (Object.keys(branding).length > 0) patch.branding = branding;

  const flags: Record<string, boolean> = {};
  for (const [flag, on] of Object.entries(form.flags)) {
    if (forcedOff(flag, form.k12)) continue; // the server decides these for K-12
    if (tenant.flags[flag] !== on) flags[flag] = on;
  }
  if (Object.keys(flags).length > 0) patch.flags = flags as TenantPatch["flags"];

  if (form.k12 !== tenant.k12) patch.k12 = form.k12;
  const trackers = list(form.trackers);
  if (trackers.join(",") !== tenant.trackers.join(",")) patch.trackers = trackers;

  const retention: NonNullable<TenantPatch["retention"]> = {};
  if (days(form.auditDays) !== tenant.retention?.auditDays) retention.auditDays = days(form.auditDays);
  if (days(form.activityDays) !== tenant.retention?.activityDays) retention.activityDays = days(form.activityDays);
  if (Object.keys(retention).length > 0) patch.retention = retention;

  if (Object.keys(patch).length === 0) return null;
  if (form.reason.trim()) patch.reason = form.reason.trim();
  return patch;
}

/** The branding the public route will answer after a change, to apply at once (its answer is cached for minutes). */
export function publicBrandingOf(tenant: Tenant): Schemas["PublicBranding"] {
  return {
    tenantId: tenant.id,
    name: tenant.name,
    displayName: tenant.branding.displayName || tenant.name,
    primaryColor: tenant.branding.primaryColor ?? "#1f4e79",
    accentColor: tenant.branding.accentColor ?? "#f2a900",
    logoUrl: tenant.branding.logoUrl ?? null,
    allowedTrackers: [],
  };
}
