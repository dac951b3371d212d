/** A question as its author reads it back, in a bank or as an AI draft proposes it. */
import type { ReactNode } from "react";
import { t } from "../i18n/messages";
import { difficultyLabel, questionTypeLabel } from "./labels";
import type { QuestionForm } from "./questions";

/**
 * The prompt, its type and difficulty (then `facts`), the options with the correct ones marked,
 * the true/false answer or the accepted answers; `children` after them.
 */
export default function QuestionSummary({ form, facts, children }: { form: QuestionForm; facts?: string; children?: ReactNode }) {
  return (
    <div className="stack">
      <p>
        <strong>{form.prompt}</strong>
      </p>
      <p className="muted">
        {questionTypeLabel(form.type)} · {difficultyLabel(form.difficulty)}
        {facts ? ` · ${facts}` : ""}
      </p>
      {form.type === "single_choice" || form.type === "multiple_choice" ? (
        <ul>
          {form.options.map((o) => (
            <li key={o.id}>
              {o.text} {o.correct ? <strong>({t("instructor.question.correctShort")})</strong> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {form.type === "true_false" ? (
        <p>{t("instructor.question.answerIs", { answer: form.answer ? t("instructor.question.true") : t("instructor.question.false") })}</p>
      ) : null}
      {form.type === "short_text" ? <p>{t("instructor.question.acceptedList", { answers: form.accepted.split("\n").join(" · ") })}</p> : null}
      {children}
    </div>
  );
}
