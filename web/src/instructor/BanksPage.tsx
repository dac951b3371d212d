/** The tenant's question banks, and creating one. */
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { formatDateTime } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { FormFooter } from "../staff/forms";
import { fieldErrorsOf, useAction, useContinuation } from "../staff/kit";
import { PagedList } from "../staff/tables";
import { Field, PageTitle } from "../ui";

export default function BanksPage() {
  const paging = useContinuation();
  const banks = useAsync(
    () => unwrap(api.GET("/api/v1/question-banks", { params: { query: { limit: 50, continuation: paging.token ?? undefined } } })),
    [paging.token],
  );
  const navigate = useNavigate();
  const action = useAction();
  const errors = fieldErrorsOf(action.error);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");

  async function create(event: FormEvent) {
    event.preventDefault();
    const bank = await action.run(() => unwrap(api.POST("/api/v1/question-banks", { body: { title, description } })));
    if (bank) navigate(`/instructor/banks/${encodeURIComponent(bank.id)}`);
  }

  return (
    <>
      <PageTitle subtitle={t("instructor.banks.intro")}>{t("instructor.nav.banks")}</PageTitle>
      <PagedList
        state={banks}
        paging={paging}
        empty={t("instructor.banks.none")}
        item={(bank) => (
          <>
            <Link to={`/instructor/banks/${encodeURIComponent(bank.id)}`}>
              <strong>{bank.title}</strong>
            </Link>
            {bank.description ? <p className="muted">{bank.description}</p> : null}
            <span className="outline-id">{t("staff.updated", { at: formatDateTime(bank.updatedAt) })}</span>
          </>
        )}
      />
      <form className="form section" onSubmit={create} noValidate aria-labelledby="new-bank">
        <h2 id="new-bank">{t("instructor.banks.create")}</h2>
        <Field label={t("instructor.banks.title")} error={errors.title}>
          {(props) => <input {...props} value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Field label={t("instructor.banks.description")} error={errors.description}>
          {(props) => <textarea {...props} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <FormFooter action={action} submit={t("instructor.banks.createSubmit")} />
      </form>
    </>
  );
}
