/** A question bank: its questions (each type the API has), adding and editing them. */
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { Done, fieldErrorsOf, Pager, useAction, useContinuation, FormProblem } from "../staff/kit";
import { AsyncView, PageTitle } from "../ui";
import { difficultyLabel, questionTypeLabel } from "./labels";
import QuestionEditor from "./QuestionEditor";
import { emptyQuestionForm, questionFieldErrors, questionToForm, questionTypeOf, toQuestionBody, type QuestionForm } from "./questions";

type Question = Schemas["QuestionView"];

function QuestionFormSection({
  bankId,
  question,
  onSaved,
  onCancel,
}: {
  bankId: string;
  question?: Question;
  onSaved(q: Question): void;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState<QuestionForm>(() => (question ? questionToForm(question) : emptyQuestionForm()));
  const action = useAction();
  const errors = questionFieldErrors(fieldErrorsOf(action.error));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = toQuestionBody(form);
    const saved = await action.run(
      () =>
        question
          ? unwrap(
              api.PUT("/api/v1/question-banks/{bankId}/questions/{questionId}", {
                params: { path: { bankId, questionId: question.id } },
                body,
              }),
            )
          : unwrap(api.POST("/api/v1/question-banks/{bankId}/questions", { params: { path: { bankId } }, body })),
      question ? t("instructor.question.updated") : t("instructor.question.added"),
    );
    if (saved) {
      onSaved(saved);
      if (!question) setForm(emptyQuestionForm(form.type));
    }
  }

  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <QuestionEditor form={form} onChange={setForm} errors={errors} />
      <FormProblem error={action.error} />
      <Done message={action.done} />
      <div className="toolbar">
        <button type="submit" disabled={action.busy}>
          {question ? t("instructor.question.saveVersion") : t("instructor.question.add")}
        </button>
        {onCancel ? (
          <button type="button" className="button-secondary" onClick={onCancel}>
            {t("common.cancel")}
          </button>
        ) : null}
      </div>
    </form>
  );
}

function QuestionSummary({ question }: { question: Question }) {
  const correct = new Set(question.correct ?? []);
  const type = questionTypeOf(question);
  return (
    <div className="stack">
      <p>
        <strong>{question.prompt}</strong>
      </p>
      <p className="muted">
        {questionTypeLabel(type)} · {difficultyLabel(question.difficulty)} ·{" "}
        {tp("instructor.question.pointsShort", question.points)} ·{" "}
        {t("instructor.question.version", { version: formatNumber(question.version) })}
        {question.tags.length ? ` · ${question.tags.join(", ")}` : ""}
      </p>
      {question.options ? (
        <ul>
          {question.options.map((o) => (
            <li key={String(o.id)}>
              {String(o.text)} {correct.has(String(o.id)) ? <strong>({t("instructor.question.correctShort")})</strong> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {type === "true_false" ? (
        <p>{t("instructor.question.answerIs", { answer: question.answer ? t("instructor.question.true") : t("instructor.question.false") })}</p>
      ) : null}
      {question.accepted ? <p>{t("instructor.question.acceptedList", { answers: question.accepted.join(" · ") })}</p> : null}
      {question.rubric ? (
        <ul>
          {question.rubric.map((c) => (
            <li key={String(c.id)}>
              {String(c.criterion)} — {tp("instructor.question.pointsShort", Number(c.points))}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export default function BankPage() {
  const { bankId = "" } = useParams();
  const paging = useContinuation();
  const bank = useAsync(() => unwrap(api.GET("/api/v1/question-banks/{bankId}", { params: { path: { bankId } } })), [bankId]);
  const questions = useAsync(
    () =>
      unwrap(
        api.GET("/api/v1/question-banks/{bankId}/questions", {
          params: { path: { bankId }, query: { limit: 50, continuation: paging.token ?? undefined } },
        }),
      ),
    [bankId, paging.token],
  );
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <>
      <AsyncView state={bank}>
        {(b) => <PageTitle subtitle={b.description || undefined}>{b.title}</PageTitle>}
      </AsyncView>
      <p>
        <Link to="/instructor/banks">{t("instructor.banks.back")}</Link>
      </p>
      <h2>{t("instructor.banks.questions")}</h2>
      <AsyncView state={questions} isEmpty={(p) => p.items.length === 0 && paging.page === 1} empty={t("instructor.banks.noQuestions")}>
        {(page) => (
          <>
            <ul className="list">
              {page.items.map((q) => (
                <li key={q.id}>
                  {editing === q.id ? (
                    <QuestionFormSection
                      bankId={bankId}
                      question={q}
                      onSaved={() => {
                        setEditing(null);
                        questions.reload();
                      }}
                      onCancel={() => setEditing(null)}
                    />
                  ) : (
                    <>
                      <QuestionSummary question={q} />
                      <button type="button" className="button-secondary button-small" onClick={() => setEditing(q.id)}>
                        {t("instructor.question.edit")}
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
            <Pager page={paging.page} continuation={page.continuation} onNext={paging.next} onPrevious={paging.previous} />
          </>
        )}
      </AsyncView>
      <section className="section" aria-labelledby="add-question">
        <h2 id="add-question">{t("instructor.question.new")}</h2>
        <QuestionFormSection bankId={bankId} onSaved={() => questions.reload()} />
      </section>
    </>
  );
}
