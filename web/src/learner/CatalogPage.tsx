/** The catalog: course search through the discovery route, with filters and paging. */
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { languageName } from "../i18n/format";
import { t, tp, type MessageKey } from "../i18n/messages";
import { highlightRuns } from "../lib/highlight";
import { useAsync } from "../lib/useAsync";
import { AsyncView, Field, PageTitle } from "../ui";

const PAGE_SIZE = 10;
const LEVELS = ["beginner", "intermediate", "advanced"] as const;
type Level = (typeof LEVELS)[number];

function asLevel(value: string | null): Level | undefined {
  return LEVELS.find((l) => l === value);
}

function Highlighted({ excerpt }: { excerpt: string }) {
  return (
    <>
      {highlightRuns(excerpt).map((run, i) => (run.marked ? <mark key={i}>{run.text}</mark> : <span key={i}>{run.text}</span>))}
    </>
  );
}

function Hit({ hit }: { hit: Schemas["CourseHit"] }) {
  const title = hit.highlights.title?.[0];
  const summary = hit.highlights.summary?.[0];
  const lessons = hit.highlights.lessonTitles ?? [];
  return (
    <li className="card">
      <h2>
        <Link to={`/courses/${encodeURIComponent(hit.id)}`}>{title ? <Highlighted excerpt={title} /> : hit.title}</Link>
      </h2>
      <p>{summary ? <Highlighted excerpt={summary} /> : hit.summary}</p>
      {lessons.length > 0 ? (
        <p className="muted">
          {t("catalog.matchingLessons")}{" "}
          {lessons.map((l, i) => (
            <span key={i}>
              {i > 0 ? ", " : null}
              <Highlighted excerpt={l} />
            </span>
          ))}
        </p>
      ) : null}
      <p className="muted">
        {t(`level.${hit.level}` as MessageKey)} · {languageName(hit.language)}
      </p>
      {hit.tags.length > 0 ? (
        <ul className="tags" aria-label={t("catalog.tags")}>
          {hit.tags.map((tag) => (
            <li key={tag}>
              <Link className="tag" to={`/?tag=${encodeURIComponent(tag)}`}>
                {tag}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export default function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const level = asLevel(params.get("level"));
  const language = params.get("language") ?? "";
  const tag = params.get("tag") ?? "";
  const offset = Math.max(0, Number(params.get("offset") ?? "0") || 0);
  const [draft, setDraft] = useState(q);
  const [languageDraft, setLanguageDraft] = useState(language);
  useEffect(() => setDraft(q), [q]);
  useEffect(() => setLanguageDraft(language), [language]);

  const results = useAsync(
    () =>
      unwrap(
        api.GET("/api/v1/search", {
          params: {
            query: {
              q: q || undefined,
              level,
              language: language || undefined,
              tags: tag ? [tag] : undefined,
              limit: PAGE_SIZE,
              offset,
            },
          },
        }),
      ),
    [q, level, language, tag, offset],
  );

  // A 422 names the field it refused (a malformed language code): shown under that field.
  const fieldErrors = results.error instanceof ApiProblem && results.error.status === 422 ? results.error.fieldErrors : {};

  function update(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!("offset" in changes)) next.delete("offset");
    setParams(next);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    update({ q: draft.trim() || undefined, language: languageDraft.trim() || undefined });
  }

  return (
    <>
      <PageTitle>{t("nav.catalog")}</PageTitle>
      <form role="search" aria-label={t("catalog.searchForm")} onSubmit={submit} className="form-inline">
        <Field label={t("catalog.search")} error={fieldErrors.q}>
          {(props) => <input {...props} type="search" name="q" value={draft} onChange={(e) => setDraft(e.target.value)} />}
        </Field>
        <Field label={t("catalog.language")} error={fieldErrors.language}>
          {(props) => (
            <input
              {...props}
              name="language"
              size={8}
              placeholder={t("catalog.languagePlaceholder")}
              value={languageDraft}
              onChange={(e) => setLanguageDraft(e.target.value)}
            />
          )}
        </Field>
        <button type="submit">{t("catalog.searchSubmit")}</button>
      </form>
      <div className="form-inline" role="group" aria-label={t("catalog.filters")}>
        <Field label={t("catalog.level")}>
          {(props) => (
            <select {...props} value={level ?? ""} onChange={(e) => update({ level: e.target.value || undefined })}>
              <option value="">{t("catalog.anyLevel")}</option>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`level.${l}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {tag ? (
          <p>
            {t("catalog.taggedWith", { tag })}{" "}
            <button type="button" className="button-link" onClick={() => update({ tag: undefined })}>
              {t("catalog.clearTag")}
            </button>
          </p>
        ) : null}
      </div>
      <AsyncView state={results} showFieldErrors={Object.keys(fieldErrors).length === 0} isEmpty={(r) => r.items.length === 0} empty={t("catalog.noResults")}>
        {(r) => (
          <>
            <p className="muted" role="status">
              {tp("catalog.total", r.total)}
            </p>
            <ul className="cards">
              {r.items.map((hit) => (
                <Hit key={hit.id} hit={hit} />
              ))}
            </ul>
            <nav className="pager" aria-label={t("catalog.pages")}>
              <button
                type="button"
                className="button-secondary"
                disabled={r.offset === 0}
                onClick={() => update({ offset: String(Math.max(0, r.offset - r.limit)) })}
              >
                {t("common.previous")}
              </button>
              <span>{t("catalog.pageOf", { page: Math.floor(r.offset / r.limit) + 1, pages: Math.max(1, Math.ceil(r.total / r.limit)) })}</span>
              <button
                type="button"
                className="button-secondary"
                disabled={r.offset + r.limit >= r.total}
                onClick={() => update({ offset: String(r.offset + r.limit) })}
              >
                {t("common.next")}
              </button>
            </nav>
          </>
        )}
      </AsyncView>
    </>
  );
}
