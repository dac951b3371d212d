/**
 * A quiz lesson: start (or resume) an attempt drawn by the server, answer (saved as answers
 * change), a countdown to the server's deadline, submit, and the result once graded. An attempt
 * whose deadline passed is graded by the server with its saved answers, and says so.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent, type ReactNode } from "react";
import { api, unwrap, unwrapWithResponse, type Schemas } from "../../api/client";
import { ApiProblem } from "../../api/problem";
import { useSignedIn } from "../../auth/session";
import { formatClock, formatDateTime, formatNumber, formatPercent } from "../../i18n/format";
import { t, tp } from "../../i18n/messages";
import { ErrorMessage, Loading } from "../../ui";
import { AnswerSaver, type AnswerValue, type SaveState } from "./saver";
import { secondsLeft, serverOffsetMs } from "./timing";

type Attempt = Schemas["AttemptView"];
type Item = Schemas["AttemptItemView"];

interface Option {
  id: string;
  text: string;
}

function optionsOf(item: Item): Option[] {
  const out: Option[] = [];
  for (const o of item.options ?? []) {
    if (typeof o.id === "string" && typeof o.text === "string") out.push({ id: o.id, text: o.text });
  }
  return out;
}

function attemptKey(tenantId: string, userId: string, courseId: string, lessonId: string): string {
  return `lms.attempt.${tenantId}.${userId}.${courseId}.${lessonId}`;
}

function remember(key: string, attemptId: string | null) {
  try {
    if (attemptId) localStorage.setItem(key, attemptId);
    else localStorage.removeItem(key);
  } catch {
    // Without storage the result of a finished attempt is not shown again after a reload.
  }
}

function recall(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** An API call's data and the server clock's offset from its Date header. */
async function withOffset<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<[T, number]> {
  const sentAt = Date.now();
  const { data, response } = await unwrapWithResponse(call);
  return [data, serverOffsetMs(response.headers.get("date"), (sentAt + Date.now()) / 2)];
}

function Choice({
  type,
  name,
  value,
  checked,
  onChange,
  children,
}: {
  type: "radio" | "checkbox";
  name: string;
  value?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <label className="choice">
      <input type={type} name={name} value={value} checked={checked} onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.checked)} />
      {children}
    </label>
  );
}

function Question({
  item,
  index,
  value,
  disabled,
  onChange,
}: {
  item: Item;
  index: number;
  value: AnswerValue | undefined;
  disabled: boolean;
  onChange: (value: AnswerValue, immediate: boolean) => void;
}) {
  const name = `q-${item.questionId}`;
  let answer: ReactNode;
  switch (item.type) {
    case "single_choice":
      answer = optionsOf(item).map((o) => (
        <Choice key={o.id} type="radio" name={name} value={o.id} checked={value === o.id} onChange={() => onChange(o.id, true)}>
          {o.text}
        </Choice>
      ));
      break;
    case "multiple_choice": {
      const picked = Array.isArray(value) ? value : [];
      answer = (
        <>
          <p className="field-hint">{t("quiz.pickAll")}</p>
          {optionsOf(item).map((o) => (
            <Choice
              key={o.id}
              type="checkbox"
              name={name}
              value={o.id}
              checked={picked.includes(o.id)}
              onChange={(checked) => onChange(checked ? [...picked, o.id] : picked.filter((p) => p !== o.id), true)}
            >
              {o.text}
            </Choice>
          ))}
        </>
      );
      break;
    }
    case "true_false":
      answer = [true, false].map((choice) => (
        <Choice key={String(choice)} type="radio" name={name} checked={value === choice} onChange={() => onChange(choice, true)}>
          {choice ? t("quiz.true") : t("quiz.false")}
        </Choice>
      ));
      break;
    default: {
      // Typed answers (essay, short text) are saved after a pause in the typing.
      const text = {
        id: name,
        value: typeof value === "string" ? value : "",
        onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value, false),
      };
      answer = (
        <>
          <label className="visually-hidden" htmlFor={name}>
            {t("quiz.yourAnswer")}
          </label>
          {item.type === "essay" ? <textarea {...text} rows={8} /> : <input {...text} type="text" />}
        </>
      );
    }
  }
  return (
    <fieldset className="question" disabled={disabled}>
      <legend>
        <span className="question-number">{t("quiz.questionNumber", { n: index + 1 })}</span> {item.prompt}{" "}
        <span className="muted">({tp("quiz.points", item.points)})</span>
      </legend>
      {answer}
    </fieldset>
  );
}

function Countdown({ deadline, offsetMs, onExpired }: { deadline: string; offsetMs: number; onExpired: () => void }) {
  const [left, setLeft] = useState(() => secondsLeft(deadline, Date.now(), offsetMs));
  const fired = useRef(false);
  useEffect(() => {
    fired.current = false;
    const tick = () => {
      const value = secondsLeft(deadline, Date.now(), offsetMs);
      setLeft(value);
      if (value === 0 && !fired.current) {
        fired.current = true;
        onExpired();
      }
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [deadline, offsetMs, onExpired]);
  // Screen readers hear the time at whole minutes and in the last ten seconds, not every second.
  const milestone = left % 60 === 0 || left <= 10;
  const [announced, setAnnounced] = useState("");
  useEffect(() => {
    if (milestone) setAnnounced(t("quiz.timeLeft", { time: formatClock(left) }));
  }, [milestone, left]);
  return (
    <>
      <p role="timer" data-testid="countdown" className={left <= 60 ? "countdown countdown-low" : "countdown"}>
        {t("quiz.timeLeft", { time: formatClock(left) })}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {announced}
      </p>
    </>
  );
}

function Result({ attempt, onRetake, canRetake }: { attempt: Attempt; onRetake: () => void; canRetake: boolean }) {
  if (attempt.status === "awaiting_grading") {
    return (
      <div className="state state-empty" role="status">
        {attempt.expired ? <p>{t("quiz.expiredSaved")}</p> : null}
        <p>{t("quiz.awaitingGrading")}</p>
      </div>
    );
  }
  const passed = attempt.passed === true;
  return (
    <section aria-labelledby="result-heading" className={passed ? "state state-ok" : "state state-error"}>
      <h2 id="result-heading">{passed ? t("quiz.passed") : t("quiz.notPassed")}</h2>
      {attempt.expired ? <p>{t("quiz.expiredSaved")}</p> : null}
      <p>
        {tp("quiz.score", attempt.maxPoints ?? 0, {
          score: formatPercent(attempt.score ?? 0, true),
          points: formatNumber(attempt.points ?? 0),
        })}
      </p>
      {attempt.gradedAt ? <p className="muted">{t("quiz.gradedAt", { when: formatDateTime(attempt.gradedAt) })}</p> : null}
      <ol className="result-items">
        {attempt.items.map((item) => (
          <li key={item.questionId}>
            <span>{item.prompt}</span>{" "}
            <strong>
              {t("quiz.awarded", { awarded: formatNumber(item.awardedPoints ?? 0), points: formatNumber(item.points) })}
            </strong>
            {item.explanation ? <p className="muted">{item.explanation}</p> : null}
          </li>
        ))}
      </ol>
      {!passed && canRetake ? (
        <button type="button" onClick={onRetake}>
          {t("quiz.retake")}
        </button>
      ) : null}
    </section>
  );
}

export default function QuizLesson({
  courseId,
  lessonId,
  locked,
  onProgress,
}: {
  courseId: string;
  lessonId: string;
  locked: string | null;
  onProgress: () => void;
}) {
  const session = useSignedIn();
  const key = attemptKey(session.tenantId, session.userId, courseId, lessonId);
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [offsetMs, setOffsetMs] = useState(0);
  const [answers, setAnswers] = useState<Record<string, AnswerValue>>({});
  const [loading, setLoading] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saveState, setSaveState] = useState<SaveState>("idle");

  const adopt = useCallback(
    (value: Attempt, offsetValue: number) => {
      setAttempt(value);
      setOffsetMs(offsetValue);
      setAnswers(value.answers as Record<string, AnswerValue>);
      remember(key, value.id);
      if (value.status !== "open") onProgress();
    },
    [key, onProgress],
  );

  // A remembered attempt (open or finished) is shown again after a reload.
  useEffect(() => {
    const id = recall(key);
    if (!id) {
      setLoading(false);
      return;
    }
    withOffset(api.GET("/api/v1/attempts/{attemptId}", { params: { path: { attemptId: id } } }))
      .then(([value, o]) => adopt(value, o))
      .catch(() => remember(key, null))
      .finally(() => setLoading(false));
  }, [key, adopt]);

  const attemptId = attempt?.id ?? null;
  const saver = useMemo(
    () =>
      attemptId
        ? new AnswerSaver({
            save: async (changes) => {
              await unwrap(api.PUT("/api/v1/attempts/{attemptId}/answers", { params: { path: { attemptId } }, body: { answers: changes } }));
            },
            onState: (state, failure) => {
              setSaveState(state);
              if (failure) setError(failure);
            },
          })
        : null,
    [attemptId],
  );
  // Leaving the lesson sends what is still waiting for the typing pause.
  useEffect(() => () => void saver?.flush().catch(() => undefined), [saver]);

  /** A request that moves the attempt on: busy meanwhile; its failure goes to `failed` (said in words by default). */
  async function step(work: () => Promise<void>, failed: (failure: unknown) => void = setError) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      failed(failure);
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    step(async () => {
      const call = api.POST("/api/v1/courses/{courseId}/lessons/{lessonId}/attempts", { params: { path: { courseId, lessonId } } });
      adopt(...(await withOffset(call)));
    });

  /** The deadline passed: the server grades the attempt with its saved answers when it is read. */
  const expire = useCallback(() => {
    if (!attemptId) return;
    void (async () => {
      await saver?.flush().catch(() => undefined);
      try {
        adopt(...(await withOffset(api.GET("/api/v1/attempts/{attemptId}", { params: { path: { attemptId } } }))));
      } catch (failure) {
        setError(failure);
      }
    })();
  }, [attemptId, saver, adopt]);

  async function submit() {
    if (!attemptId) return;
    await step(
      async () => {
        await saver?.flush();
        adopt(...(await withOffset(api.POST("/api/v1/attempts/{attemptId}/submit", { params: { path: { attemptId } } }))));
      },
      (failure) => {
        // Submitted after the deadline: the server graded it as saved; show that result.
        if (failure instanceof ApiProblem && failure.status === 409) expire();
        else setError(failure);
      },
    );
  }

  function change(questionId: string, value: AnswerValue, immediate: boolean) {
    setAnswers((current) => ({ ...current, [questionId]: value }));
    saver?.change(questionId, value, immediate);
  }

  if (loading) return <Loading />;

  if (!attempt) {
    return (
      <div className="quiz-start">
        {locked ? <p className="state state-empty">{locked}</p> : <p>{t("quiz.intro")}</p>}
        <ErrorMessage error={error} />
        <button type="button" onClick={() => void start()} disabled={busy || Boolean(locked)}>
          {busy ? t("quiz.starting") : t("quiz.start")}
        </button>
      </div>
    );
  }

  if (attempt.status !== "open") {
    const canRetake = attempt.number < attempt.attemptsAllowed;
    return (
      <>
        <Result attempt={attempt} canRetake={canRetake} onRetake={() => void start()} />
        <ErrorMessage error={error} />
      </>
    );
  }

  const answered = attempt.items.filter((i) => {
    const v = answers[i.questionId];
    return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
  }).length;

  return (
    <form
      className="quiz"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="quiz-bar">
        <p>{t("quiz.attemptOf", { number: attempt.number, allowed: attempt.attemptsAllowed })}</p>
        {attempt.deadline ? <Countdown deadline={attempt.deadline} offsetMs={offsetMs} onExpired={expire} /> : null}
        <p className="muted" role="status" aria-live="polite">
          {saveState === "saving" || saveState === "pending"
            ? t("quiz.saving")
            : saveState === "saved"
              ? t("quiz.saved")
              : saveState === "failed"
                ? t("quiz.saveFailed")
                : ""}
        </p>
      </div>
      {attempt.items.map((item, index) => (
        <Question
          key={item.questionId}
          item={item}
          index={index}
          value={answers[item.questionId]}
          disabled={busy}
          onChange={(value, immediate) => change(item.questionId, value, immediate)}
        />
      ))}
      <ErrorMessage error={error} />
      <p className="muted">{t("quiz.answered", { answered, total: attempt.items.length })}</p>
      <button type="submit" disabled={busy}>
        {busy ? t("quiz.submitting") : t("quiz.submit")}
      </button>
    </form>
  );
}
