/** Grading one attempt's essays by their rubrics; changing a grade given before needs a reason (a regrade). */
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { formatDateTime, formatNumber, formatPercent } from "../i18n/format";
import { t, tp } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { Done, Facts, fieldErrorsOf, StatusTag, useAction, FormProblem } from "../staff/kit";
import { AsyncView, Field, PageTitle } from "../ui";
import {
  changesAGrade,
  essayItems,
  formTotal,
  gradeForms,
  gradeProblems,
  gradesBody,
  rubricOf,
  type Attempt,
  type AttemptItem,
  type EssayGradeForm,
  type GradeProblem,
} from "./grading";
import { attemptStatusLabel, questionTypeLabel } from "./labels";

function problemText(p: GradeProblem): string {
  const max = formatNumber(p.max);
  switch (p.problem) {
    case "missing":
      return t("instructor.grading.problem.missing");
    case "notANumber":
      return t("instructor.grading.problem.notANumber");
    case "negative":
      return t("instructor.grading.problem.negative");
    case "overMax":
      return t("instructor.grading.problem.overMax", { max });
  }
}

function answerText(value: unknown): string {
  if (value === undefined || value === null || value === "") return t("instructor.grading.noAnswer");
  if (typeof value === "boolean") return value ? t("instructor.question.true") : t("instructor.question.false");
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

function OtherItem({ item, answer }: { item: AttemptItem; answer: unknown }) {
  return (
    <li className="grade-item">
      <p>
        <strong>{item.prompt}</strong>
      </p>
      <p className="muted">
        {questionTypeLabel(item.type)} ·{" "}
        {t("instructor.grading.awarded", { points: formatNumber(item.awardedPoints ?? 0), max: formatNumber(item.points) })}
      </p>
      <p>{t("instructor.grading.answered", { answer: answerText(answer) })}</p>
    </li>
  );
}

function EssayItem({
  item,
  answer,
  form,
  problems,
  onChange,
}: {
  item: AttemptItem;
  answer: unknown;
  form: EssayGradeForm;
  problems: GradeProblem[];
  onChange(next: EssayGradeForm): void;
}) {
  const rubric = rubricOf(item);
  const total = formTotal(form);
  return (
    <li className="grade-item">
      <p>
        <strong>{item.prompt}</strong>
      </p>
      <p className="muted">
        {questionTypeLabel(item.type)} · {tp("instructor.question.pointsShort", item.points)}
        {item.grade ? ` · ${t("instructor.grading.gradedBefore")}` : ""}
      </p>
      <h3 className="visually-hidden">{t("instructor.grading.answer")}</h3>
      <div className="answer-text">{answerText(answer)}</div>
      <table className="table rubric-table">
        <caption>{t("instructor.grading.rubric")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("instructor.grading.criterion")}</th>
            <th scope="col" className="num">
              {t("instructor.grading.max")}
            </th>
            <th scope="col">{t("instructor.grading.given")}</th>
          </tr>
        </thead>
        <tbody>
          {rubric.map((c) => {
            const problem = problems.find((p) => p.criterionId === c.id);
            const inputId = `grade-${item.questionId}-${c.id}`;
            return (
              <tr key={c.id}>
                <th scope="row">
                  <label htmlFor={inputId}>{c.criterion}</label>
                </th>
                <td className="num">{formatNumber(c.points)}</td>
                <td>
                  <input
                    id={inputId}
                    inputMode="decimal"
                    value={form.criteria[c.id] ?? ""}
                    aria-invalid={Boolean(problem && problem.problem !== "missing")}
                    aria-describedby={problem ? `${inputId}-problem` : undefined}
                    onChange={(e) => onChange({ ...form, criteria: { ...form.criteria, [c.id]: e.target.value } })}
                  />
                  {problem && problem.problem !== "missing" ? (
                    <p id={`${inputId}-problem`} className="field-error">
                      {problemText(problem)}
                    </p>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        {t("instructor.grading.total", {
          points: Number.isFinite(total) ? formatNumber(total) : "—",
          max: formatNumber(item.points),
        })}
      </p>
      <Field label={t("instructor.grading.comment")}>
        {(props) => <textarea {...props} rows={3} value={form.comment} onChange={(e) => onChange({ ...form, comment: e.target.value })} />}
      </Field>
    </li>
  );
}

function Grader({ attempt, onGraded }: { attempt: Attempt; onGraded(next: Attempt): void }) {
  const [forms, setForms] = useState(() => gradeForms(attempt));
  const [reason, setReason] = useState("");
  const action = useAction();
  const errors = fieldErrorsOf(action.error);
  const problems = gradeProblems(attempt, forms);
  const regrade = changesAGrade(attempt, forms);
  const complete = problems.length === 0;
  const body = gradesBody(attempt, forms, reason);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const graded = await action.run(
      () => unwrap(api.POST("/api/v1/attempts/{attemptId}/grades", { params: { path: { attemptId: attempt.id } }, body })),
      (a) => (a.status === "graded" ? t("instructor.grading.saved", { score: formatPercent((a.score ?? 0) / 100) }) : t("instructor.grading.savedPartial")),
    );
    if (graded) {
      onGraded(graded);
      setForms(gradeForms(graded));
      setReason("");
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <ol className="list-plain">
        {attempt.items.map((item) =>
          item.type === "essay" ? (
            <EssayItem
              key={item.questionId}
              item={item}
              answer={attempt.answers[item.questionId]}
              form={forms[item.questionId] ?? { criteria: {}, comment: "" }}
              problems={problems.filter((p) => p.questionId === item.questionId)}
              onChange={(next) => setForms((f) => ({ ...f, [item.questionId]: next }))}
            />
          ) : (
            <OtherItem key={item.questionId} item={item} answer={attempt.answers[item.questionId]} />
          ),
        )}
      </ol>
      {regrade ? (
        <Field label={t("instructor.grading.reason")} hint={t("instructor.grading.reasonHint")} error={errors.reason}>
          {(props) => <input {...props} value={reason} required onChange={(e) => setReason(e.target.value)} />}
        </Field>
      ) : null}
      <FormProblem error={action.error} />
      <Done message={action.done} />
      <div className="toolbar">
        <button type="submit" disabled={action.busy || body.grades.length === 0 || (regrade && !reason.trim())}>
          {regrade ? t("instructor.grading.regrade") : t("instructor.grading.submit")}
        </button>
        {!complete ? <span className="muted">{t("instructor.grading.incomplete")}</span> : null}
      </div>
    </form>
  );
}

export default function GradeAttemptPage() {
  const { attemptId = "" } = useParams();
  const attempt = useAsync(() => unwrap(api.GET("/api/v1/attempts/{attemptId}", { params: { path: { attemptId } } })), [attemptId]);
  return (
    <>
      <PageTitle>{t("instructor.grading.attemptTitle")}</PageTitle>
      <p>
        <Link to={attempt.data ? `/instructor/grading?courseId=${encodeURIComponent(attempt.data.courseId)}` : "/instructor/grading"}>
          {t("instructor.grading.back")}
        </Link>
      </p>
      <AsyncView state={attempt}>
        {(a) => (
          <>
            <Facts
              items={[
                [t("instructor.grading.learner"), a.userId],
                [t("instructor.grading.quiz"), `${a.courseId} · ${a.lessonId}`],
                [t("instructor.grading.attempt"), t("instructor.grading.attemptOf", { n: formatNumber(a.number), of: formatNumber(a.attemptsAllowed) })],
                [t("instructor.grading.submitted"), a.submittedAt ? formatDateTime(a.submittedAt) : "—"],
                [t("instructor.grading.status"), <StatusTag key="s" status={a.status} label={attemptStatusLabel(a.status)} />],
                [
                  t("instructor.grading.score"),
                  a.status === "graded" && a.score != null
                    ? t("instructor.grading.scoreOf", {
                        score: formatPercent(a.score / 100),
                        passed: a.passed ? t("instructor.grading.passed") : t("instructor.grading.failed"),
                      })
                    : "—",
                ],
              ]}
            />
            {a.expired ? <p className="muted">{t("instructor.grading.expired")}</p> : null}
            {a.status === "open" ? (
              <p className="state state-empty">{t("instructor.grading.notSubmitted")}</p>
            ) : essayItems(a).length === 0 ? (
              <p className="state state-empty">{t("instructor.grading.noEssays")}</p>
            ) : (
              <Grader key={a.id} attempt={a} onGraded={attempt.setData} />
            )}
          </>
        )}
      </AsyncView>
    </>
  );
}
