/** The catalog: course search through the discovery route, with filters and paging. */
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { AsyncView, Field, PageTitle } from "../ui";

const PAGE_SIZE = 10;
const LEVELS = ["beginner", "intermediate", "advanced"] as const;
type Level = (typeof LEVELS)[number];

function asLevel(value: string | null): Level | undefined {
  return LEVELS.find((l) => l === value);
}

export default function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const level = asLevel(params.get("level"));
  const offset = Number(params.get("offset") ?? "0") || 0;
  const [draft, setDraft] = useState(q);

  const results = useAsync(
    () =>
      unwrap(
        api.GET("/api/v1/search", {
          params: { query: { q: q || undefined, level, limit: PAGE_SIZE, offset } },
        }),
      ),
    [q, level, offset],
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams(params);
    if (draft) next.set("q", draft);
    else next.delete("q");
    next.delete("offset");
    setParams(next);
  }

  return (
    <>
      <PageTitle>{t("nav.catalog")}</PageTitle>
      <form role="search" onSubmit={submit} className="form-inline">
        <Field label={t("catalog.search")}>
          {(props) => <input {...props} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />}
        </Field>
        <button type="submit">{t("catalog.searchSubmit")}</button>
      </form>
      <AsyncView state={results} isEmpty={(r) => r.items.length === 0} empty={t("catalog.noResults")}>
        {(r) => (
          <>
            <p className="muted">{t("catalog.total", { total: formatNumber(r.total) })}</p>
            <ul className="cards">
              {r.items.map((hit) => (
                <li key={hit.id} className="card">
                  <h2>
                    <Link to={`/courses/${encodeURIComponent(hit.id)}`}>{hit.title}</Link>
                  </h2>
                  <p>{hit.summary}</p>
                </li>
              ))}
            </ul>
          </>
        )}
      </AsyncView>
    </>
  );
}
