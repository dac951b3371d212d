/**
 * The HRIS import's file and its per-row results. Before sending, the file is read here only to
 * say what it holds (header, record count, the first records) and whether its header is one the
 * server takes; the server parses it again and is the judge (shared/enrollment/imports.py). After
 * the import, the rows that failed can be saved as a CSV to fix and import again. Pure.
 */
import type { Schemas } from "../api/client";

export const COLUMNS = ["email", "name", "course", "due date"] as const;
export const REQUIRED = ["email", "name", "course"] as const;

/** RFC 4180 records: quoted fields with "" escapes, commas and line breaks inside quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const input = text.startsWith("\ufeff") ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      if (c === "\r" && input[i + 1] === "\n") i += 1;
    } else field += c;
    i += 1;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ""));
}

export interface CsvPreview {
  header: string[];
  records: number;
  first: string[][];
  missing: string[];
  unknown: string[];
  duplicate: string[];
}

/** What a file holds, and what is wrong with its header, before it is sent. */
export function previewCsv(text: string, show = 5): CsvPreview {
  const [head = [], ...rest] = parseCsv(text);
  const header = head.map((h) => h.trim().toLowerCase());
  const known = new Set<string>(COLUMNS);
  const seen = new Set<string>();
  const duplicate: string[] = [];
  for (const h of header) {
    if (seen.has(h)) duplicate.push(h);
    seen.add(h);
  }
  return {
    header,
    records: rest.length,
    first: rest.slice(0, show),
    missing: REQUIRED.filter((r) => !seen.has(r)),
    unknown: header.filter((h) => !known.has(h)),
    duplicate,
  };
}

export function headerProblems(preview: CsvPreview): boolean {
  return preview.missing.length > 0 || preview.unknown.length > 0 || preview.duplicate.length > 0;
}

type Report = Schemas["ImportReport"];
type Row = Schemas["ImportRow"];
export type Outcome = Row["outcome"];

/** The rows with one outcome (or all), in the file's order. */
export function rowsWith(report: Report, outcome: Outcome | "all"): Row[] {
  return outcome === "all" ? report.rows : report.rows.filter((r) => r.outcome === outcome);
}

/** Failed rows grouped by reason, the most frequent first: what to fix in the HRIS export. */
export function errorReasons(report: Report): { reason: string; rows: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const row of report.rows) {
    if (row.outcome !== "error") continue;
    const reason = row.reason ?? "";
    groups.set(reason, [...(groups.get(reason) ?? []), row.row]);
  }
  return [...groups.entries()]
    .map(([reason, rows]) => ({ reason, rows }))
    .sort((a, b) => b.rows.length - a.rows.length || (a.rows[0] ?? 0) - (b.rows[0] ?? 0));
}

function cell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The original records of the failed rows, with the file's header, plus why each failed. */
export function failedRowsCsv(text: string, report: Report): string {
  const [head = [], ...records] = parseCsv(text);
  const failed = new Map(report.rows.filter((r) => r.outcome === "error").map((r) => [r.row, r.reason ?? ""]));
  const lines = [[...head, "error"].map(cell).join(",")];
  records.forEach((record, index) => {
    const reason = failed.get(index + 2); // the header is row 1
    if (reason !== undefined) lines.push([...record, reason].map(cell).join(","));
  });
  return `${lines.join("\r\n")}\r\n`;
}
