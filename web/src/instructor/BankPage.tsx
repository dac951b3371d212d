/** A question bank: its questions (each type the API has), adding and editing them. */
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { FormFooter } from "../staff/forms";
import { fieldErrorsOf, useAction, useContinuation } from "../staff/kit";
import { PagedList } from "../staff/tables";
import { AsyncView, PageTitle } from "../ui";
import QuestionEditor from "./QuestionEditor";
import QuestionSummary from "./QuestionSummary";
import { emptyQuestionForm, questionFieldErrors, questionToForm, toQuestionBody, type QuestionForm } from "./questions";

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
      <FormFooter
        action={action}
        submit={question ? t("instructor.question.saveVersion") : t("instructor.question.add")}
        onCancel={onCancel}
        toolbar
      />
    </form>
  );
}

/** A bank's question: its summary, with its points, version and tags, and an essay's rubric. */
function BankQuestion({ question }: { question: Question }) {
  const facts = [
    tp("instructor.question.pointsShort", question.points),
    t("instructor.question.version", { version: formatNumber(question.version) }),
    ...(question.tags.length ? [question.tags.join(", ")] : []),
  ];
  return (
    <QuestionSummary form={questionToForm(question)} facts={facts.join(" · ")}>
      {question.rubric ? (
        <ul>
          {question.rubric.map((c) => (
            <li key={String(c.id)}>
              {String(c.criterion)} — {tp("instructor.question.pointsShort", Number(c.points))}
            </li>
          ))}
        </ul>
      ) : null}
    </QuestionSummary>
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
      <PagedList
        state={questions}
        paging={paging}
        empty={t("instructor.banks.noQuestions")}
        item={(q) =>
          editing === q.id ? (
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
              <BankQuestion question={q} />
              <button type="button" className="button-secondary button-small" onClick={() => setEditing(q.id)}>
                {t("instructor.question.edit")}
              </button>
            </>
          )
        }
      />
      <section className="section" aria-labelledby="add-question">
        <h2 id="add-question">{t("instructor.question.new")}</h2>
        <QuestionFormSection bankId={bankId} onSaved={() => questions.reload()} />
      </section>
    </>
  );
}
