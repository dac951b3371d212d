/** A quiz lesson's settings: which banks it draws questions from, time limit, attempts, pass mark. */
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { allPages } from "../staff/api";
import { FormFooter, Options } from "../staff/forms";
import { fieldErrorsOf, useAction } from "../staff/kit";
import { AsyncView, Field } from "../ui";
import { difficultyLabel } from "./labels";
import { DIFFICULTIES } from "./questions";

type Settings = Schemas["QuizSettings"];
type Bank = Schemas["BankView"];

interface PoolForm {
  bankId: string;
  count: string;
  tags: string;
  difficulty: string;
}

function QuizForm({
  courseId,
  lessonId,
  initial,
  banks,
  onSaved,
}: {
  courseId: string;
  lessonId: string;
  initial: Settings | null;
  banks: Bank[];
  onSaved(quiz: Settings): void;
}) {
  const [pools, setPools] = useState<PoolForm[]>(
    initial?.pools.map((p) => ({ bankId: p.bankId, count: String(p.count), tags: (p.tags ?? []).join(", "), difficulty: p.difficulty ?? "" })) ?? [
      { bankId: banks[0]?.id ?? "", count: "5", tags: "", difficulty: "" },
    ],
  );
  const [timeLimit, setTimeLimit] = useState(initial?.timeLimitSeconds ? String(Math.round(initial.timeLimitSeconds / 60)) : "");
  const [attempts, setAttempts] = useState(String(initial?.attemptsAllowed ?? 1));
  const [passMark, setPassMark] = useState(String(initial?.passMark ?? 60));
  const [shuffleQuestions, setShuffleQuestions] = useState(initial?.shuffleQuestions ?? true);
  const [shuffleOptions, setShuffleOptions] = useState(initial?.shuffleOptions ?? true);
  const [showCorrect, setShowCorrect] = useState<Settings["showCorrectAnswers"]>(initial?.showCorrectAnswers ?? "never");
  const action = useAction();
  const errors = fieldErrorsOf(action.error);

  const setPool = (i: number, change: Partial<PoolForm>) => setPools((ps) => ps.map((p, j) => (j === i ? { ...p, ...change } : p)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Settings = {
      pools: pools.map((p) => ({
        bankId: p.bankId,
        count: Number(p.count),
        tags: p.tags
          .split(",")
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
        difficulty: (p.difficulty || null) as Schemas["Pool"]["difficulty"],
      })),
      timeLimitSeconds: timeLimit.trim() ? Math.round(Number(timeLimit) * 60) : null,
      attemptsAllowed: Number(attempts),
      passMark: Number(passMark),
      shuffleQuestions,
      shuffleOptions,
      showCorrectAnswers: showCorrect,
    };
    const saved = await action.run(
      () => unwrap(api.PUT("/api/v1/courses/{courseId}/lessons/{lessonId}/quiz", { params: { path: { courseId, lessonId } }, body })),
      t("instructor.quiz.saved"),
    );
    if (saved) onSaved(saved);
  }

  if (banks.length === 0) {
    return (
      <p className="state state-empty">
        {t("instructor.quiz.noBanks")} <Link to="/instructor/banks">{t("instructor.nav.banks")}</Link>
      </p>
    );
  }

  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      {pools.map((pool, i) => (
        <fieldset key={i}>
          <legend>{t("instructor.quiz.pool", { n: i + 1 })}</legend>
          <div className="row">
            <Field label={t("instructor.quiz.bank")} error={errors[`pools.${i}.bankId`]}>
              {(props) => (
                <select {...props} value={pool.bankId} onChange={(e) => setPool(i, { bankId: e.target.value })}>
                  <Options items={banks} />
                </select>
              )}
            </Field>
            <Field label={t("instructor.quiz.count")} error={errors[`pools.${i}.count`]}>
              {(props) => <input {...props} type="number" min={1} max={100} value={pool.count} onChange={(e) => setPool(i, { count: e.target.value })} />}
            </Field>
            <Field label={t("instructor.quiz.tags")} hint={t("staff.commaSeparated")} error={errors[`pools.${i}.tags`]}>
              {(props) => <input {...props} value={pool.tags} onChange={(e) => setPool(i, { tags: e.target.value })} />}
            </Field>
            <Field label={t("instructor.question.difficulty")} error={errors[`pools.${i}.difficulty`]}>
              {(props) => (
                <select {...props} value={pool.difficulty} onChange={(e) => setPool(i, { difficulty: e.target.value })}>
                  <option value="">{t("instructor.quiz.anyDifficulty")}</option>
                  <Options values={DIFFICULTIES} label={difficultyLabel} />
                </select>
              )}
            </Field>
          </div>
          {pools.length > 1 ? (
            <button type="button" className="button-secondary button-small" onClick={() => setPools((ps) => ps.filter((_, j) => j !== i))}>
              {t("instructor.quiz.removePool", { n: i + 1 })}
            </button>
          ) : null}
        </fieldset>
      ))}
      <div>
        <button
          type="button"
          className="button-secondary"
          onClick={() => setPools((ps) => [...ps, { bankId: banks[0]?.id ?? "", count: "1", tags: "", difficulty: "" }])}
        >
          {t("instructor.quiz.addPool")}
        </button>
      </div>
      {errors.pools ? <p className="field-error">{errors.pools}</p> : null}
      <div className="row">
        <Field label={t("instructor.quiz.timeLimit")} hint={t("instructor.quiz.timeLimitHint")} error={errors.timeLimitSeconds}>
          {(props) => <input {...props} type="number" min={1} value={timeLimit} onChange={(e) => setTimeLimit(e.target.value)} />}
        </Field>
        <Field label={t("instructor.quiz.attempts")} error={errors.attemptsAllowed}>
          {(props) => <input {...props} type="number" min={1} max={100} value={attempts} onChange={(e) => setAttempts(e.target.value)} />}
        </Field>
        <Field label={t("instructor.quiz.passMark")} error={errors.passMark}>
          {(props) => <input {...props} type="number" min={0} max={100} value={passMark} onChange={(e) => setPassMark(e.target.value)} />}
        </Field>
      </div>
      <div className="checks">
        <label className="checkbox">
          <input type="checkbox" checked={shuffleQuestions} onChange={(e) => setShuffleQuestions(e.target.checked)} />
          {t("instructor.quiz.shuffleQuestions")}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={shuffleOptions} onChange={(e) => setShuffleOptions(e.target.checked)} />
          {t("instructor.quiz.shuffleOptions")}
        </label>
      </div>
      <Field label={t("instructor.quiz.showCorrect")}>
        {(props) => (
          <select {...props} value={showCorrect} onChange={(e) => setShowCorrect(e.target.value as Settings["showCorrectAnswers"])}>
            <option value="never">{t("instructor.quiz.showNever")}</option>
            <option value="after_submission">{t("instructor.quiz.showAfter")}</option>
          </select>
        )}
      </Field>
      <FormFooter action={action} submit={t("instructor.quiz.save")} busyLabel={t("staff.saving")} />
    </form>
  );
}

async function quizOrNull(courseId: string, lessonId: string): Promise<Settings | null> {
  try {
    return await unwrap(api.GET("/api/v1/courses/{courseId}/lessons/{lessonId}/quiz", { params: { path: { courseId, lessonId } } }));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return null;
    throw error;
  }
}

export default function QuizPanel({ courseId, lessonId }: { courseId: string; lessonId: string }) {
  const state = useAsync(async () => {
    const [quiz, banks] = await Promise.all([
      quizOrNull(courseId, lessonId),
      allPages((continuation) => unwrap(api.GET("/api/v1/question-banks", { params: { query: { limit: 100, continuation } } })), 500),
    ]);
    return { quiz, banks: banks.items };
  }, [courseId, lessonId]);
  return (
    <section className="section" aria-labelledby="quiz-title">
      <h2 id="quiz-title">{t("instructor.quiz.title")}</h2>
      <AsyncView state={state}>
        {({ quiz, banks }) => (
          <>
            {quiz ? null : <p className="muted">{t("instructor.quiz.notSet")}</p>}
            <QuizForm courseId={courseId} lessonId={lessonId} initial={quiz} banks={banks} onSaved={(q) => state.setData({ quiz: q, banks })} />
          </>
        )}
      </AsyncView>
    </section>
  );
}
