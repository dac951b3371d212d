/** Monthly usage as a chart's rows, and byte counts in words. Pure. */
import type { Schemas } from "../api/client";
import { locale } from "../i18n/messages";

export type MonthUsage = Schemas["MonthUsage"];

/** The months to show, oldest first, at most `max` of the newest ones (the route lists them newest first). */
export function monthsToShow(months: readonly string[], max = 12): string[] {
  return [...new Set(months)].sort().slice(-max);
}

/** "2026-03" as "Mar 2026" in the app's locale (UTC, as the server counts months). */
export function monthLabel(month: string): string {
  const [year, mon] = month.split("-").map(Number);
  if (!year || !mon) return month;
  return new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(year, mon - 1, 1)));
}

const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

/** Bytes in the largest unit that keeps the number at least 1 (decimal units, as storage is billed). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: UNITS[unit],
    unitDisplay: unit === 0 ? "narrow" : "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

export function sortByMonth(rows: readonly MonthUsage[]): MonthUsage[] {
  return [...rows].sort((a, b) => a.month.localeCompare(b.month));
}
