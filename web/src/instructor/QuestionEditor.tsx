/** The form of a question of any type the API has (single/multiple choice, true/false, short text, essay). */
import { useId } from "react";
import { t, tp } from "../i18n/messages";
import { Options, RemoveButton } from "../staff/forms";
import { Field } from "../ui";
import { difficultyLabel, questionTypeLabel } from "./labels";
import {
  DIFFICULTIES,
  nextCriterionId,
  nextOptionId,
  QUESTION_TYPES,
  rubricTotal,
  toggleCorrect,
  type CriterionForm,
  type OptionForm,
  type QuestionForm,
  type QuestionType,
} from "./questions";

export default function QuestionEditor({
  form,
  onChange,
  errors,
}: {
  form: QuestionForm;
  onChange(next: QuestionForm): void;
  errors: Record<string, string>;
}) {
  const id = useId();
  const set = <K extends keyof QuestionForm>(key: K, value: QuestionForm[K]) => onChange({ ...form, [key]: value });
  const setOption = (optionId: string, change: Partial<OptionForm>) => set("options", changeItem(form.options, optionId, change));
  const setCriterion = (criterionId: string, change: Partial<CriterionForm>) => set("rubric", changeItem(form.rubric, criterionId, change));
  const choice = form.type === "single_choice" || form.type === "multiple_choice";
  return (
    <div className="stack">
      <div className="row">
        <Field label={t("instructor.question.type")} error={errors.type}>
          {(props) => (
            <select {...props} value={form.type} onChange={(e) => onChange(retype(form, e.target.value as QuestionType))}>
              <Options values={QUESTION_TYPES} label={questionTypeLabel} />
            </select>
          )}
        </Field>
        <Field label={t("instructor.question.difficulty")} error={errors.difficulty}>
          {(props) => (
            <select {...props} value={form.difficulty} onChange={(e) => set("difficulty", e.target.value as QuestionForm["difficulty"])}>
              <Options values={DIFFICULTIES} label={difficultyLabel} />
            </select>
          )}
        </Field>
        {form.type !== "essay" ? (
          <Field label={t("instructor.question.points")} error={errors.points}>
            {(props) => <input {...props} inputMode="decimal" value={form.points} onChange={(e) => set("points", e.target.value)} />}
          </Field>
        ) : (
          <p className="muted">{tp("instructor.question.rubricPoints", rubricTotal(form.rubric))}</p>
        )}
      </div>
      <Field label={t("instructor.question.prompt")} error={errors.prompt}>
        {(props) => <textarea {...props} rows={3} value={form.prompt} onChange={(e) => set("prompt", e.target.value)} />}
      </Field>

      {choice ? (
        <fieldset>
          <legend>{form.type === "single_choice" ? t("instructor.question.optionsSingle") : t("instructor.question.optionsMultiple")}</legend>
          {form.options.map((option, i) => (
            <div key={option.id} className="row">
              <label className="checkbox">
                <input
                  type={form.type === "single_choice" ? "radio" : "checkbox"}
                  name={`${id}-correct`}
                  checked={option.correct}
                  onChange={() => onChange(toggleCorrect(form, option.id))}
                />
                {t("instructor.question.correct", { option: option.id })}
              </label>
              <Field label={t("instructor.question.optionText", { option: option.id })} error={errors[`options.${i}.text`]}>
                {(props) => <input {...props} value={option.text} onChange={(e) => setOption(option.id, { text: e.target.value })} />}
              </Field>
              <RemoveButton
                label={t("instructor.question.removeOption", { option: option.id })}
                disabled={form.options.length <= 2}
                onClick={() => set("options", form.options.filter((o) => o.id !== option.id))}
              />
            </div>
          ))}
          {errors.options || errors.correct ? <p className="field-error">{errors.options ?? errors.correct}</p> : null}
          {errors[""] ? <p className="field-error">{errors[""]}</p> : null}
          <button
            type="button"
            className="button-secondary"
            disabled={form.options.length >= 10}
            onClick={() => set("options", [...form.options, { id: nextOptionId(form.options), text: "", correct: false }])}
          >
            {t("instructor.question.addOption")}
          </button>
          {form.type === "multiple_choice" ? (
            <label className="checkbox">
              <input type="checkbox" checked={form.partialCredit} onChange={(e) => set("partialCredit", e.target.checked)} />
              {t("instructor.question.partialCredit")}
            </label>
          ) : null}
        </fieldset>
      ) : null}

      {form.type === "true_false" ? (
        <fieldset>
          <legend>{t("instructor.question.answer")}</legend>
          <label className="checkbox">
            <input type="radio" name={`${id}-tf`} checked={form.answer} onChange={() => set("answer", true)} />
            {t("instructor.question.true")}
          </label>
          <label className="checkbox">
            <input type="radio" name={`${id}-tf`} checked={!form.answer} onChange={() => set("answer", false)} />
            {t("instructor.question.false")}
          </label>
        </fieldset>
      ) : null}

      {form.type === "short_text" ? (
        <>
          <Field label={t("instructor.question.accepted")} hint={t("instructor.question.acceptedHint")} error={errors.accepted}>
            {(props) => <textarea {...props} rows={3} value={form.accepted} onChange={(e) => set("accepted", e.target.value)} />}
          </Field>
          <div className="checks">
            <label className="checkbox">
              <input type="checkbox" checked={form.caseSensitive} onChange={(e) => set("caseSensitive", e.target.checked)} />
              {t("instructor.question.caseSensitive")}
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={form.normalizeWhitespace} onChange={(e) => set("normalizeWhitespace", e.target.checked)} />
              {t("instructor.question.normalizeWhitespace")}
            </label>
          </div>
        </>
      ) : null}

      {form.type === "essay" ? (
        <fieldset>
          <legend>{t("instructor.question.rubric")}</legend>
          {form.rubric.map((c, i) => (
            <div key={c.id} className="row">
              <Field label={t("instructor.question.criterion", { n: i + 1 })} error={errors[`rubric.${i}.criterion`]}>
                {(props) => <input {...props} value={c.criterion} onChange={(e) => setCriterion(c.id, { criterion: e.target.value })} />}
              </Field>
              <Field label={t("instructor.question.criterionPoints", { n: i + 1 })} error={errors[`rubric.${i}.points`]}>
                {(props) => <input {...props} inputMode="decimal" value={c.points} onChange={(e) => setCriterion(c.id, { points: e.target.value })} />}
              </Field>
              <RemoveButton
                label={t("instructor.question.removeCriterion", { n: i + 1 })}
                disabled={form.rubric.length <= 1}
                onClick={() => set("rubric", form.rubric.filter((x) => x.id !== c.id))}
              />
            </div>
          ))}
          {errors.rubric ? <p className="field-error">{errors.rubric}</p> : null}
          <button
            type="button"
            className="button-secondary"
            disabled={form.rubric.length >= 20}
            onClick={() => set("rubric", [...form.rubric, { id: nextCriterionId(form.rubric), criterion: "", points: "1" }])}
          >
            {t("instructor.question.addCriterion")}
          </button>
        </fieldset>
      ) : null}

      <div className="row">
        <Field label={t("instructor.question.tags")} hint={t("staff.commaSeparated")} error={errors.tags}>
          {(props) => <input {...props} value={form.tags} onChange={(e) => set("tags", e.target.value)} />}
        </Field>
      </div>
      <Field label={t("instructor.question.explanation")} hint={t("instructor.question.explanationHint")} error={errors.explanation}>
        {(props) => <textarea {...props} rows={2} value={form.explanation} onChange={(e) => set("explanation", e.target.value)} />}
      </Field>
    </div>
  );
}

/** `items` with the one whose id is `id` changed. */
function changeItem<T extends { id: string }>(items: T[], id: string, change: Partial<T>): T[] {
  return items.map((item) => (item.id === id ? { ...item, ...change } : item));
}

/** A type change; single choice keeps only the first correct option. */
function retype(form: QuestionForm, type: QuestionType): QuestionForm {
  if (type !== "single_choice") return { ...form, type };
  const first = form.options.find((o) => o.correct)?.id ?? form.options[0]?.id;
  return { ...form, type, options: form.options.map((o) => ({ ...o, correct: o.id === first })) };
}
