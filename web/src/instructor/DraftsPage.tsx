/**
 * The AI draft review queue: questions a generator proposed from a lesson's transcript. Each is
 * approved into a bank as drafted or as edited here, or rejected with a reason; nothing reaches a
 * bank without this review.
 */
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { formatDateTime } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { allPages } from "../staff/api";
import { Options } from "../staff/forms";
import { Done, fieldErrorsOf, StatusTag, useAction, useContinuation, FormProblem } from "../staff/kit";
import { PagedList } from "../staff/tables";
import { AsyncView, Field, PageTitle } from "../ui";
import { draftStatusLabel } from "./labels";
import QuestionEditor from "./QuestionEditor";
import QuestionSummary from "./QuestionSummary";
import { questionFieldErrors, questionToForm, toQuestionBody, type QuestionForm } from "./questions";

type Draft = Schemas["DraftView"];
type Bank = Schemas["BankView"];
const STATUSES = ["pending", "approved", "rejected"] as const;

function Proposed({ question }: { question: Record<string, unknown> }) {
  const form = questionToForm(question);
  return <QuestionSummary form={form}>{form.explanation ? <p className="muted">{form.explanation}</p> : null}</QuestionSummary>;
}

function Review({ draft, banks, onDecided }: { draft: Draft; banks: Bank[]; onDecided(next: Draft): void }) {
  const [bankId, setBankId] = useState(banks[0]?.id ?? "");
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<QuestionForm>(() => questionToForm(draft.question));
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const action = useAction();
  const errors = questionFieldErrors(fieldErrorsOf(action.error));
  const title = draft.question.prompt ? String(draft.question.prompt) : draft.id;

  async function decide(event: FormEvent, call: () => Promise<Draft>) {
    event.preventDefault();
    const decided = await action.run(call);
    if (decided) onDecided(decided);
  }

  const approve = (event: FormEvent) => {
    const body: Schemas["DraftApproval"] = { bankId, ...(editing ? { question: toQuestionBody(form) } : {}) };
    void decide(event, () => unwrap(api.POST("/api/v1/question-drafts/{draftId}/approve", { params: { path: { draftId: draft.id } }, body })));
  };
  const reject = (event: FormEvent) =>
    void decide(event, () =>
      unwrap(api.POST("/api/v1/question-drafts/{draftId}/reject", { params: { path: { draftId: draft.id } }, body: { reason } })),
    );

  if (banks.length === 0) return <p className="muted">{t("instructor.drafts.needBank")}</p>;

  return (
    <div className="stack">
      <form className="form form-wide" onSubmit={approve} noValidate aria-label={t("instructor.drafts.approveLabel", { title })}>
        {editing ? <QuestionEditor form={form} onChange={setForm} errors={errors} /> : null}
        <div className="row">
          <Field label={t("instructor.drafts.bank")} error={fieldErrorsOf(action.error).bankId}>
            {(props) => (
              <select {...props} value={bankId} onChange={(e) => setBankId(e.target.value)}>
                <Options items={banks} />
              </select>
            )}
          </Field>
          <button type="submit" disabled={action.busy || !bankId}>
            {editing ? t("instructor.drafts.approveEdited") : t("instructor.drafts.approve")}
          </button>
          <button type="button" className="button-secondary" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
            {editing ? t("instructor.drafts.stopEditing") : t("instructor.drafts.edit")}
          </button>
          <button type="button" className="button-secondary" onClick={() => setRejecting((r) => !r)} aria-expanded={rejecting}>
            {t("instructor.drafts.reject")}
          </button>
        </div>
      </form>
      {rejecting ? (
        <form className="form" onSubmit={reject} noValidate aria-label={t("instructor.drafts.rejectLabel", { title })}>
          <Field label={t("instructor.drafts.reason")} error={fieldErrorsOf(action.error).reason}>
            {(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <div>
            <button type="submit" className="button-danger" disabled={action.busy || !reason.trim()}>
              {t("instructor.drafts.rejectSubmit")}
            </button>
          </div>
        </form>
      ) : null}
      <FormProblem error={action.error} />
    </div>
  );
}

export default function DraftsPage() {
  const [params, setParams] = useSearchParams();
  const status = STATUSES.find((s) => s === params.get("status")) ?? "pending";
  const courseId = params.get("courseId") ?? "";
  const paging = useContinuation();
  const [decided, setDecided] = useState<string | null>(null);
  const drafts = useAsync(
    () =>
      unwrap(
        api.GET("/api/v1/question-drafts", {
          params: { query: { status, courseId: courseId || undefined, limit: 20, continuation: paging.token ?? undefined } },
        }),
      ),
    [status, courseId, paging.token],
  );
  const banks = useAsync(
    () => allPages((continuation) => unwrap(api.GET("/api/v1/question-banks", { params: { query: { limit: 100, continuation } } })), 500),
    [],
  );

  const courses = useAsync(() => unwrap(api.GET("/api/v1/courses", { params: { query: { limit: 200 } } })), []);

  function filter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
    paging.reset();
  }

  return (
    <>
      <PageTitle subtitle={t("instructor.drafts.intro")}>{t("instructor.nav.drafts")}</PageTitle>
      <div className="row">
        <Field label={t("instructor.drafts.status")}>
          {(props) => (
            <select {...props} value={status} onChange={(e) => filter("status", e.target.value)}>
              <Options values={STATUSES} label={draftStatusLabel} />
            </select>
          )}
        </Field>
        <Field label={t("instructor.drafts.course")}>
          {(props) => (
            <select {...props} value={courseId} onChange={(e) => filter("courseId", e.target.value)}>
              <option value="">{t("instructor.drafts.allCourses")}</option>
              <Options items={courses.data?.items ?? []} />
              {courseId && !courses.data?.items.some((c) => c.id === courseId) ? <option value={courseId}>{courseId}</option> : null}
            </select>
          )}
        </Field>
      </div>
      <Done message={decided} />
      <PagedList
        state={drafts}
        paging={paging}
        empty={t("instructor.drafts.none")}
        item={(draft) => (
          <>
            <p className="muted">
              <StatusTag status={draft.status} label={draftStatusLabel(draft.status)} />{" "}
              {t("instructor.drafts.from", { course: draft.courseId, lesson: draft.lessonId, at: formatDateTime(draft.createdAt) })}
            </p>
            <Proposed question={draft.question} />
            {draft.status === "pending" ? (
              <AsyncView state={banks}>
                {(b) => (
                  <Review
                    draft={draft}
                    banks={b.items}
                    onDecided={(next) => {
                      setDecided(next.status === "approved" ? t("instructor.drafts.approved") : t("instructor.drafts.rejected"));
                      drafts.reload();
                    }}
                  />
                )}
              </AsyncView>
            ) : null}
            {draft.reason ? <p>{t("instructor.drafts.reasonShown", { reason: draft.reason })}</p> : null}
          </>
        )}
      />
    </>
  );
}
