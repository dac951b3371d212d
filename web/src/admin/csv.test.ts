import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { errorReasons, failedRowsCsv, headerProblems, parseCsv, previewCsv, rowsWith } from "./csv";

const FILE = [
  "\ufeffEmail,Name,Course,Due date",
  "ana@example.com,Ana,sql-101,2026-09-01",
  '"bo@example.com","Bo ""the boss"" Smith",sql-101,',
  "not-an-email,Cy,sql-101,",
  "",
  'dee@example.com,"Dee, Jr.",nope,2026-02-30',
].join("\r\n");

const report: Schemas["ImportReport"] = {
  enrolled: 2,
  unchanged: 0,
  errors: 2,
  rows: [
    { row: 2, email: "ana@example.com", course: "sql-101", outcome: "enrolled", userId: "u1" },
    { row: 3, email: "bo@example.com", course: "sql-101", outcome: "enrolled", userId: "u2" },
    { row: 4, email: "not-an-email", course: "sql-101", outcome: "error", reason: "'not-an-email' is not an email address" },
    { row: 5, email: "dee@example.com", course: "nope", outcome: "error", reason: "due date '2026-02-30' is not a real date" },
  ],
};

describe("parseCsv", () => {
  it("reads quoted fields, escaped quotes, commas and line breaks inside quotes", () => {
    expect(parseCsv('a,"b ""c""","d,e"\n"multi\nline",x,\n')).toEqual([
      ["a", 'b "c"', "d,e"],
      ["multi\nline", "x", ""],
    ]);
  });
  it("drops the byte-order mark and blank lines, as the server does", () => {
    const records = parseCsv(FILE);
    expect(records[0]).toEqual(["Email", "Name", "Course", "Due date"]);
    expect(records).toHaveLength(5);
    expect(records[2]).toEqual(["bo@example.com", 'Bo "the boss" Smith', "sql-101", ""]);
  });
});

describe("previewCsv", () => {
  it("counts the records and accepts the header in any case", () => {
    const preview = previewCsv(FILE, 2);
    expect(preview.header).toEqual(["email", "name", "course", "due date"]);
    expect(preview.records).toBe(4);
    expect(preview.first).toHaveLength(2);
    expect(headerProblems(preview)).toBe(false);
  });
  it("names missing, unknown and repeated columns", () => {
    const preview = previewCsv("email,mail,course,course\nx,y,z,w\n");
    expect(preview).toMatchObject({ missing: ["name"], unknown: ["mail"], duplicate: ["course"] });
    expect(headerProblems(preview)).toBe(true);
  });
});

describe("import results", () => {
  it("filters rows by outcome and groups errors by reason", () => {
    expect(rowsWith(report, "error").map((r) => r.row)).toEqual([4, 5]);
    expect(rowsWith(report, "all")).toHaveLength(4);
    const grouped = errorReasons({
      ...report,
      rows: [...report.rows, { row: 6, email: "x", course: "c", outcome: "error", reason: "'not-an-email' is not an email address" }],
    });
    expect(grouped.map((g) => [g.reason, g.rows])).toEqual([
      ["'not-an-email' is not an email address", [4, 6]],
      ["due date '2026-02-30' is not a real date", [5]],
    ]);
  });

  it("writes the failed records back as CSV with their reasons, quoting where needed", () => {
    expect(failedRowsCsv(FILE, report)).toBe(
      [
        "Email,Name,Course,Due date,error",
        "not-an-email,Cy,sql-101,,'not-an-email' is not an email address",
        'dee@example.com,"Dee, Jr.",nope,2026-02-30,due date \'2026-02-30\' is not a real date',
        "",
      ].join("\r\n"),
    );
  });
});
