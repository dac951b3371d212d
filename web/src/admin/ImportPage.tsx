/**
 * The HRIS import: a CSV of email, name, course and due date; each row enrolls its user (new users
 * become Learners) and gets its own result, so one bad row is reported and the others go in.
 */
import { useState, type FormEvent } from "react";
import { type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { sendRaw } from "../staff/api";
import { FormFooter, Options } from "../staff/forms";
import { saveBlob, StatusTag, useAction } from "../staff/kit";
import { DataTable, Kpis } from "../staff/tables";
import { Field, PageTitle } from "../ui";
import { COLUMNS, errorReasons, failedRowsCsv, headerProblems, previewCsv, rowsWith, type CsvPreview, type Outcome } from "./csv";
import { outcomeLabel } from "./labels";

type Report = Schemas["ImportReport"];
const FILTERS = ["all", "error", "enrolled", "unchanged"] as const;

function Preview({ preview }: { preview: CsvPreview }) {
  return (
    <div className="stack">
      <p>{tp("admin.import.records", preview.records)}</p>
      {preview.missing.length ? <p className="field-error">{t("admin.import.missing", { columns: preview.missing.join(", ") })}</p> : null}
      {preview.unknown.length ? <p className="field-error">{t("admin.import.unknown", { columns: preview.unknown.join(", ") })}</p> : null}
      {preview.duplicate.length ? <p className="field-error">{t("admin.import.duplicate", { columns: preview.duplicate.join(", ") })}</p> : null}
      {preview.first.length ? (
        <DataTable caption={t("admin.import.firstRecords")} showCaption columns={preview.header}>
          {preview.first.map((record, i) => (
            <tr key={i}>
              {preview.header.map((_, j) => (
                <td key={j}>{record[j] ?? ""}</td>
              ))}
            </tr>
          ))}
        </DataTable>
      ) : null}
    </div>
  );
}

function Results({ report, text }: { report: Report; text: string }) {
  const [filter, setFilter] = useState<Outcome | "all">(report.errors > 0 ? "error" : "all");
  const rows = rowsWith(report, filter);
  const reasons = errorReasons(report);
  return (
    <section className="section" aria-labelledby="results-title">
      <h2 id="results-title">{t("admin.import.results")}</h2>
      <Kpis
        items={[
          [formatNumber(report.enrolled), outcomeLabel("enrolled")],
          [formatNumber(report.unchanged), outcomeLabel("unchanged")],
          [formatNumber(report.errors), t("admin.import.withErrors")],
        ]}
      />
      {reasons.length ? (
        <>
          <h3>{t("admin.import.reasons")}</h3>
          <ul>
            {reasons.map((r) => (
              <li key={r.reason}>
                {r.reason} — {tp("admin.import.rowsList", r.rows.length, { rows: r.rows.map((n) => formatNumber(n)).join(", ") })}
              </li>
            ))}
          </ul>
          <div className="toolbar">
            <button
              type="button"
              className="button-secondary"
              onClick={() => saveBlob(new Blob([failedRowsCsv(text, report)], { type: "text/csv" }), "import-errors.csv")}
            >
              {t("admin.import.downloadFailed")}
            </button>
          </div>
        </>
      ) : null}
      <div className="form-inline">
        <Field label={t("admin.import.show")}>
          {(props) => (
            <select {...props} value={filter} onChange={(e) => setFilter(e.target.value as Outcome | "all")}>
              <Options values={FILTERS} label={(f) => (f === "all" ? t("admin.import.allRows") : outcomeLabel(f))} />
            </select>
          )}
        </Field>
      </div>
      <DataTable
        caption={t("admin.import.results")}
        testId="import-results"
        columns={[
          { label: t("admin.import.row"), num: true },
          t("admin.users.email"),
          t("admin.import.course"),
          t("admin.import.outcome"),
          t("admin.import.reason"),
        ]}
      >
        {rows.map((row) => (
          <tr key={row.row}>
            <td className="num">{formatNumber(row.row)}</td>
            <td>{row.email}</td>
            <td className="nowrap">{row.course}</td>
            <td>
              <StatusTag status={row.outcome} label={outcomeLabel(row.outcome)} />
            </td>
            <td>{row.reason ?? ""}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

export default function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const action = useAction();

  async function choose(next: File | null) {
    setFile(next);
    setReport(null);
    action.reset();
    if (!next) {
      setPreview(null);
      setText("");
      return;
    }
    const content = await next.text();
    setText(content);
    setPreview(previewCsv(content));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    const result = await action.run(
      () => sendRaw<Report>("/api/v1/enrollments/import", "POST", file, "text/csv"),
      (r) => t("admin.import.done", { enrolled: r.enrolled, unchanged: r.unchanged, errors: r.errors }),
    );
    if (result) setReport(result);
  }

  return (
    <>
      <PageTitle subtitle={t("admin.import.intro", { columns: COLUMNS.join(", ") })}>{t("admin.nav.import")}</PageTitle>
      <form className="form form-wide section" onSubmit={submit} noValidate>
        <Field label={t("admin.import.file")} hint={t("admin.import.fileHint")}>
          {(props) => <input {...props} type="file" accept=".csv,text/csv" onChange={(e) => void choose(e.target.files?.[0] ?? null)} />}
        </Field>
        {preview ? <Preview preview={preview} /> : null}
        <FormFooter
          action={action}
          submit={t("admin.import.submit")}
          busyLabel={t("admin.import.importing")}
          disabled={!file || (preview ? headerProblems(preview) : false)}
          fields={false}
        />
      </form>
      {report ? <Results report={report} text={text} /> : null}
    </>
  );
}
