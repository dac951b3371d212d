/**
 * The HRIS import: a CSV of email, name, course and due date; each row enrolls its user (new users
 * become Learners) and gets its own result, so one bad row is reported and the others go in.
 */
import { useState, type FormEvent } from "react";
import { type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { sendRaw } from "../staff/api";
import { Done, saveBlob, StatusTag, useAction } from "../staff/kit";
import { ErrorMessage, Field, PageTitle } from "../ui";
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
        <div className="table-wrap">
          <table className="table">
            <caption>{t("admin.import.firstRecords")}</caption>
            <thead>
              <tr>
                {preview.header.map((h, i) => (
                  <th key={`${h}-${i}`} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.first.map((record, i) => (
                <tr key={i}>
                  {preview.header.map((_, j) => (
                    <td key={j}>{record[j] ?? ""}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
      <ul className="kpis">
        <li className="kpi">
          <span className="kpi-value">{formatNumber(report.enrolled)}</span>
          <span className="kpi-label">{outcomeLabel("enrolled")}</span>
        </li>
        <li className="kpi">
          <span className="kpi-value">{formatNumber(report.unchanged)}</span>
          <span className="kpi-label">{outcomeLabel("unchanged")}</span>
        </li>
        <li className="kpi">
          <span className="kpi-value">{formatNumber(report.errors)}</span>
          <span className="kpi-label">{t("admin.import.withErrors")}</span>
        </li>
      </ul>
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
              {FILTERS.map((f) => (
                <option key={f} value={f}>
                  {f === "all" ? t("admin.import.allRows") : outcomeLabel(f)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="import-results">
          <caption className="visually-hidden">{t("admin.import.results")}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                {t("admin.import.row")}
              </th>
              <th scope="col">{t("admin.users.email")}</th>
              <th scope="col">{t("admin.import.course")}</th>
              <th scope="col">{t("admin.import.outcome")}</th>
              <th scope="col">{t("admin.import.reason")}</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>
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
        <ErrorMessage error={action.error} />
        <Done message={action.done} />
        <div>
          <button type="submit" disabled={!file || action.busy || (preview ? headerProblems(preview) : false)}>
            {action.busy ? t("admin.import.importing") : t("admin.import.submit")}
          </button>
        </div>
      </form>
      {report ? <Results report={report} text={text} /> : null}
    </>
  );
}
