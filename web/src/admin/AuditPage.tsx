/** The audit log, newest first, filtered by action and subject; each entry's changes in words. */
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { formatDateTime } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { useContinuation } from "../staff/kit";
import { PagedTable } from "../staff/tables";
import { Field, PageTitle } from "../ui";
import { ACTION_PATTERN, changes, KNOWN_ACTIONS } from "./audit";
import { roleLabel } from "./labels";

type Entry = Schemas["AuditEntry"];

function Changes({ entry }: { entry: Entry }) {
  const list = changes(entry.before, entry.after);
  if (list.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="list-plain">
      {list.map((c) => (
        <li key={c.field}>
          <code>{c.field}</code>: {c.before === null ? <em>{t("admin.audit.none")}</em> : c.before || <em>{t("admin.audit.empty")}</em>} →{" "}
          {c.after === null ? <em>{t("admin.audit.none")}</em> : c.after || <em>{t("admin.audit.empty")}</em>}
        </li>
      ))}
    </ul>
  );
}

export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const action = params.get("action") ?? "";
  const subjectId = params.get("subjectId") ?? "";
  const [draftAction, setDraftAction] = useState(action);
  const [draftSubject, setDraftSubject] = useState(subjectId);
  const paging = useContinuation();
  const entries = useAsync(
    () =>
      unwrap(
        api.GET("/api/v1/audit", {
          params: {
            query: {
              action: action || undefined,
              subjectId: subjectId || undefined,
              limit: 25,
              continuation: paging.token ?? undefined,
            },
          },
        }),
      ),
    [action, subjectId, paging.token],
  );
  const actionInvalid = draftAction !== "" && !ACTION_PATTERN.test(draftAction);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (actionInvalid) return;
    const next = new URLSearchParams();
    if (draftAction) next.set("action", draftAction);
    if (draftSubject.trim()) next.set("subjectId", draftSubject.trim());
    setParams(next);
    paging.reset();
  }

  return (
    <>
      <PageTitle subtitle={t("admin.audit.intro")}>{t("admin.nav.audit")}</PageTitle>
      <form className="form-inline" onSubmit={submit} role="search" aria-label={t("admin.audit.filters")}>
        <Field label={t("admin.audit.action")} hint={t("admin.audit.actionHint")} error={actionInvalid ? t("admin.audit.actionInvalid") : undefined}>
          {(props) => (
            <>
              <input {...props} list="audit-actions" value={draftAction} onChange={(e) => setDraftAction(e.target.value.trim())} />
              <datalist id="audit-actions">
                {KNOWN_ACTIONS.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={t("admin.audit.subject")}>
          {(props) => <input {...props} value={draftSubject} onChange={(e) => setDraftSubject(e.target.value)} />}
        </Field>
        <button type="submit">{t("admin.audit.apply")}</button>
        {action || subjectId ? (
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setDraftAction("");
              setDraftSubject("");
              setParams({});
              paging.reset();
            }}
          >
            {t("admin.audit.clear")}
          </button>
        ) : null}
      </form>
      <PagedTable
        state={entries}
        paging={paging}
        empty={t("admin.audit.noneFound")}
        caption={t("admin.nav.audit")}
        testId="audit-log"
        columns={[t("admin.audit.whenBy"), t("admin.audit.what"), t("admin.audit.changes"), t("admin.reason")]}
        row={(entry) => (
          <tr>
            <td className="cell-when">
              {formatDateTime(entry.at)}
              <div className="outline-id">{t("admin.audit.by", { actor: entry.actorId, roles: entry.actorRoles.map(roleLabel).join(", ") })}</div>
            </td>
            <td className="cell-what">
              <code>{entry.action}</code>
              <div className="outline-id">
                {entry.subjectType} <code>{entry.subjectId}</code>
              </div>
            </td>
            <td>
              <Changes entry={entry} />
            </td>
            <td>{entry.reason ?? ""}</td>
          </tr>
        )}
      />
    </>
  );
}
