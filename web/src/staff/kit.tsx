/**
 * Pieces the instructor and admin areas share (and only they import, so they ship in the staff
 * chunks, never in a learner's first load): actions with busy/error state, continuation paging,
 * tabs, a typed confirmation, downloads, the areas' frame.
 */
import { useCallback, useRef, useState, type ReactNode } from "react";
import { NavLink, Route, Routes } from "react-router";
import { ErrorMessage, PageTitle } from "../ui";
import { ApiProblem, fieldOf } from "../api/problem";
import { t } from "../i18n/messages";
import "./staff.css";

export interface Action {
  busy: boolean;
  error: unknown;
  /** Words said after the last success (role=status), cleared by the next run. */
  done: string | null;
  /** Runs `work`; its failure lands in `error`, its success message in `done`. Returns its result or undefined. */
  run<T>(work: () => Promise<T>, doneMessage?: string | ((result: T) => string)): Promise<T | undefined>;
  reset(): void;
}

/** One button's (or form's) request: busy while it runs, its problem or its success in words. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const running = useRef(false);
  const run = useCallback(async <T,>(work: () => Promise<T>, doneMessage?: string | ((result: T) => string)) => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = await work();
      if (doneMessage) setDone(typeof doneMessage === "function" ? doneMessage(result) : doneMessage);
      return result;
    } catch (failure) {
      setError(failure);
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => {
    setError(null);
    setDone(null);
  }, []);
  return { busy, error, done, run, reset };
}

/** The field errors of a failed action (a 422), keyed by field path ("branding.primaryColor"). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiProblem && error.status === 422 ? error.fieldErrors : {};
}

/**
 * A form's failed submit: a 422 says that fields need attention (each field shows its own
 * message beside it, and the list here names them all); any other problem in words.
 */
export function FormProblem({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiProblem && error.status === 422 && error.errors.length > 0) {
    return (
      <div className="state state-error" role="alert">
        <strong>{t("error.fieldsBelow")}</strong>
        <ul>
          {error.errors.map((e) => (
            <li key={`${e.location}:${e.message}`}>
              <code>{fieldOf(e.location)}</code>: {e.message}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return <ErrorMessage error={error} />;
}

/** A success message, announced politely. */
export function Done({ message }: { message: string | null }) {
  return (
    <p role="status" aria-live="polite" className={message ? "state state-ok" : "visually-hidden"}>
      {message ?? ""}
    </p>
  );
}

/** Continuation paging: the token of the page shown, and the tokens to go back to. */
export function useContinuation() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const token = stack[stack.length - 1] ?? null;
  return {
    token,
    page: stack.length,
    next: (continuation: string) => setStack((s) => [...s, continuation]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  };
}

export function Pager({
  page,
  continuation,
  onNext,
  onPrevious,
}: {
  page: number;
  continuation: string | null | undefined;
  onNext: (continuation: string) => void;
  onPrevious: () => void;
}) {
  if (page === 1 && !continuation) return null;
  return (
    <nav className="pager" aria-label={t("staff.pages")}>
      <button type="button" className="button-secondary" disabled={page === 1} onClick={onPrevious}>
        {t("common.previous")}
      </button>
      <span>{t("common.page", { page })}</span>
      <button type="button" className="button-secondary" disabled={!continuation} onClick={() => continuation && onNext(continuation)}>
        {t("common.next")}
      </button>
    </nav>
  );
}

/** Sub-navigation of one screen (a course's details, outline, policy, report...). */
export function Tabs({ label, items }: { label: string; items: { to: string; label: string; end?: boolean }[] }) {
  return (
    <nav className="tabs" aria-label={label}>
      {items.map((item) => (
        <NavLink key={item.to} to={item.to} end={item.end ?? true}>
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** A destructive action that runs only after the exact confirmation word is typed. */
export function TypedConfirm({
  word,
  label,
  button,
  busy,
  onConfirm,
  children,
}: {
  word: string;
  label: string;
  button: string;
  busy: boolean;
  onConfirm: () => void;
  children?: ReactNode;
}) {
  const [typed, setTyped] = useState("");
  const id = useRef(`confirm-${Math.random().toString(36).slice(2)}`).current;
  return (
    <form
      className="form danger-zone"
      onSubmit={(event) => {
        event.preventDefault();
        if (typed === word) onConfirm();
      }}
    >
      {children}
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
      </div>
      <div>
        <button type="submit" className="button-danger" disabled={typed !== word || busy}>
          {button}
        </button>
      </div>
    </form>
  );
}

/** Saves `blob` as a file named `filename` (a download the user asked for). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A small key/value list of facts. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([term, value]) => (
        <div key={term} className="facts-row">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A status as a coloured tag with words (never colour alone). */
export function StatusTag({ status, label }: { status: string; label: string }) {
  return <span className={`status status-${status.replace(/[^a-z_]/g, "")}`}>{label}</span>;
}

/** A path inside a staff area that names no screen. */
function AreaNotFound() {
  return (
    <>
      <PageTitle>{t("app.notFoundTitle")}</PageTitle>
      <p>{t("app.notFound")}</p>
    </>
  );
}

/**
 * A staff area: its navigation beside the screen that its `children` (<Route>s) choose; a path
 * that names no screen says so.
 */
export function StaffArea({ title, nav, children }: { title: string; nav: ReactNode; children: ReactNode }) {
  return (
    <div className="area">
      <nav aria-label={t("nav.area", { area: title })} className="area-nav">
        {nav}
      </nav>
      <div className="area-content">
        <Routes>
          {children}
          <Route path="*" element={<AreaNotFound />} />
        </Routes>
      </div>
    </div>
  );
}
