/** The shared pieces every screen is made of: states, errors, fields, titles. */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { ApiProblem, describeError } from "../api/problem";
import { t } from "../i18n/messages";

export function Loading({ label }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t("app.loading")}
    </p>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  return <p className="state state-empty">{children ?? t("empty.default")}</p>;
}

/** A failed call in words: the problem's detail, and each field's message when there is no form to put them in. */
export function ErrorMessage({ error, onRetry, showFields = true }: { error: unknown; onRetry?: () => void; showFields?: boolean }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : null;
  return (
    <div className="state state-error" role="alert">
      {problem && problem.title && problem.title !== problem.detail ? <strong>{problem.title}: </strong> : null}
      <span>{!showFields && problem && problem.errors.length > 0 ? t("error.fieldsBelow") : describeError(error)}</span>
      {showFields && problem && problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.location}:${e.message}`}>
              <code>{e.location}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="button-secondary" onClick={onRetry}>
          {t("error.retry")}
        </button>
      ) : null}
    </div>
  );
}

interface FieldControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}

/** A labelled form control with its hint and its error (from a 422's field errors). */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (props: FieldControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The screen's heading and the document title; focused on navigation so screen readers announce it. */
export function PageTitle({ children, subtitle }: { children: string; subtitle?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · ${t("app.name")}`;
    ref.current?.focus();
  }, [children]);
  return (
    <header className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
    </header>
  );
}

/** Loading, error or content of one async read. */
export function AsyncView<T>({
  state,
  children,
  isEmpty,
  empty,
  showFieldErrors = true,
}: {
  state: { data: T | undefined; error: unknown; loading: boolean; reload(): void };
  /** false when the screen shows a 422's field errors beside its fields. */
  showFieldErrors?: boolean;
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
}) {
  if (state.error) return <ErrorMessage error={state.error} onRetry={state.reload} showFields={showFieldErrors} />;
  if (state.loading && state.data === undefined) return <Loading />;
  if (state.data === undefined) return <Loading />;
  if (isEmpty?.(state.data)) return <Empty>{empty}</Empty>;
  return <>{children(state.data)}</>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
