/** Dates, numbers and durations, always through Intl (never hand-built strings). */
import { locale } from "./messages";

const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
const numberFormat = new Intl.NumberFormat(locale);
const percentFormat = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });

function asDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

export function formatDate(value: string | number | Date): string {
  return dateFormat.format(asDate(value));
}

export function formatDateTime(value: string | number | Date): string {
  return dateTimeFormat.format(asDate(value));
}

export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** `ratio` in 0..1 (or a percentage in 0..100 with `fromPercent`). */
export function formatPercent(value: number, fromPercent = false): string {
  return percentFormat.format(fromPercent ? value / 100 : value);
}

/** A countdown or a duration in seconds as m:ss or h:mm:ss. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const two = (n: number) => new Intl.NumberFormat(locale, { minimumIntegerDigits: 2 }).format(n);
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** "in 5 minutes", "2 hours ago". */
export function formatRelative(value: string | number | Date, now: number = Date.now()): string {
  const diff = (asDate(value).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 60) return relativeFormat.format(Math.round(diff), "second");
  if (abs < 3600) return relativeFormat.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return relativeFormat.format(Math.round(diff / 3600), "hour");
  return relativeFormat.format(Math.round(diff / 86400), "day");
}

export function formatDuration(totalSeconds: number): string {
  const minutes = Math.round(totalSeconds / 60);
  if (minutes < 60) return new Intl.NumberFormat(locale, { style: "unit", unit: "minute", unitDisplay: "long" }).format(minutes);
  return new Intl.NumberFormat(locale, { style: "unit", unit: "hour", unitDisplay: "long", maximumFractionDigits: 1 }).format(
    minutes / 60,
  );
}

const languageNames = new Intl.DisplayNames([locale], { type: "language" });

/** "en" -> "English" (the code itself when Intl does not know it). */
export function languageName(code: string): string {
  try {
    return languageNames.of(code) ?? code;
  } catch {
    return code;
  }
}
