import { describe, expect, it } from "vitest";
import { changes, flatten } from "./audit";
import { forcedOff, settingsPatch, toSettingsForm, type Tenant } from "./settings";
import { formatBytes, monthLabel, monthsToShow } from "./usage";

const tenant: Tenant = {
  id: "demo",
  name: "Demo Academy",
  branding: { displayName: "Demo Academy", primaryColor: "#0b5394", accentColor: "#e69138", logoUrl: null },
  flags: { self_enrollment: true, leaderboards: true, analytics_export: true, third_party_trackers: true, ai_question_drafts: false, certificates: true },
  k12: false,
  trackers: [],
  retention: { auditDays: 2555, activityDays: 730 },
  status: "active",
  createdAt: "2026-01-01T00:00:00+00:00",
  updatedAt: "2026-01-01T00:00:00+00:00",
};

describe("settingsPatch", () => {
  it("is null when nothing changed", () => {
    expect(settingsPatch(tenant, toSettingsForm(tenant))).toBeNull();
  });

  it("sends only the changed branding, flags, trackers and retention, with the reason", () => {
    const form = {
      ...toSettingsForm(tenant),
      primaryColor: "#C0392B",
      displayName: " ",
      flags: { ...tenant.flags, ai_question_drafts: true },
      trackers: "plausible,  matomo",
      activityDays: "365",
      reason: " rebrand ",
    };
    expect(settingsPatch(tenant, form)).toEqual({
      branding: { displayName: null, primaryColor: "#C0392B" },
      flags: { ai_question_drafts: true },
      trackers: ["plausible", "matomo"],
      retention: { activityDays: 365 },
      reason: "rebrand",
    });
  });

  it("leaves the flags K-12 forces off to the server", () => {
    const form = { ...toSettingsForm(tenant), k12: true, flags: { ...tenant.flags, leaderboards: false, certificates: false } };
    expect(settingsPatch(tenant, form)).toEqual({ k12: true, flags: { certificates: false } });
    expect(forcedOff("leaderboards", true)).toBe(true);
    expect(forcedOff("leaderboards", false)).toBe(false);
    expect(forcedOff("certificates", true)).toBe(false);
  });

  it("sends a day count it cannot read as NaN, for the server to refuse by field", () => {
    const patch = settingsPatch(tenant, { ...toSettingsForm(tenant), auditDays: "" });
    expect(patch?.retention?.auditDays).toBeNaN();
  });
});

describe("audit changes", () => {
  it("flattens nested objects and keeps scalar lists as one value", () => {
    expect([...flatten({ branding: { primaryColor: "#1" }, roles: ["A", "B"], n: null }).entries()]).toEqual([
      ["branding.primaryColor", "#1"],
      ["roles", "A, B"],
      ["n", ""],
    ]);
  });

  it("lists what changed between before and after", () => {
    expect(
      changes(
        { name: "Demo", branding: { primaryColor: "#0b5394", accentColor: "#e69138" }, roles: [] },
        { name: "Demo", branding: { primaryColor: "#c0392b", accentColor: "#e69138" }, roles: ["Learner"], k12: true },
      ),
    ).toEqual([
      { field: "branding.primaryColor", before: "#0b5394", after: "#c0392b" },
      { field: "k12", before: null, after: "true" },
      { field: "roles", before: "", after: "Learner" },
    ]);
    expect(changes(null, { a: 1 })).toEqual([{ field: "a", before: null, after: "1" }]);
  });
});

describe("usage", () => {
  it("shows the newest months oldest first", () => {
    expect(monthsToShow(["2026-03", "2026-01", "2025-12", "2026-02"], 3)).toEqual(["2026-01", "2026-02", "2026-03"]);
  });
  it("labels months and bytes with Intl", () => {
    expect(monthLabel("2026-03")).toBe("Mar 2026");
    expect(formatBytes(999)).toBe("999B");
    expect(formatBytes(0)).toBe("0B");
    expect(formatBytes(247_075)).toBe("247.1 kB");
    expect(formatBytes(3_500_000_000)).toBe("3.5 GB");
  });
});
