/**
 * The pieces the staff forms are made of (staff chunks only): an action's outcome and a form's
 * footer, ETag-guarded saves, a select's options and a set of checkboxes, the buttons of an
 * ordered list.
 */
import { useCallback, type ReactNode } from "react";
import { t } from "../i18n/messages";
import { ErrorMessage } from "../ui";
import { unwrapTagged, type Tagged } from "./api";
import { Done, FormProblem, useAction, type Action } from "./kit";

/**
 * What the last run of an action came to: its problem (with `fields`, a 422 points at the
 * messages beside the form's fields; without, the problem is said in full) and its success.
 */
export function ActionStatus({ action, fields = false }: { action: Pick<Action, "error" | "done">; fields?: boolean }) {
  return (
    <>
      {fields ? <FormProblem error={action.error} /> : <ErrorMessage error={action.error} />}
      <Done message={action.done} />
    </>
  );
}

/**
 * A form's footer: the submit's outcome (see ActionStatus), the submit button, disabled while the
 * action runs (and when `disabled`), worded `busyLabel` meanwhile, and an optional cancel button.
 * `toolbar` lays the buttons out in a row with `children` (a note, a link) beside them.
 */
export function FormFooter({
  action,
  submit,
  busyLabel,
  disabled = false,
  onCancel,
  fields = true,
  toolbar = false,
  submitClass,
  children,
}: {
  action: Pick<Action, "busy" | "error" | "done">;
  submit: string;
  busyLabel?: string;
  disabled?: boolean;
  onCancel?: (() => void) | undefined;
  /** false for a form without fields that show a 422's messages (a file upload). */
  fields?: boolean;
  toolbar?: boolean;
  submitClass?: string;
  children?: ReactNode;
}) {
  return (
    <>
      <ActionStatus action={action} fields={fields} />
      <div className={toolbar ? "toolbar" : undefined}>
        <button type="submit" className={submitClass} disabled={action.busy || disabled}>
          {action.busy && busyLabel ? busyLabel : submit}
        </button>
        {onCancel ? (
          <button type="button" className="button-secondary" onClick={onCancel}>
            {t("common.cancel")}
          </button>
        ) : null}
        {children}
      </div>
    </>
  );
}

type IfMatch = { "If-Match"?: string };

/** The If-Match header of a change to what was read with `etag` (none when the read had none). */
function ifMatch(etag: string | null): IfMatch {
  return etag ? { "If-Match": etag } : {};
}

type Call<T> = (header: IfMatch) => Promise<{ data?: T; error?: unknown; response: Response }>;

export interface GuardedSave<T> extends Action {
  /**
   * Runs the change `call` makes with the If-Match `header` (so a concurrent edit is refused with
   * a 412, not overwritten) as the action; its answer, with the new ETag, goes to `onSaved` and is returned.
   */
  save(call: Call<T>, doneMessage?: string): Promise<Tagged<T> | undefined>;
}

/**
 * An action that saves changes to what was read with `etag` (see `unwrapTagged`); `onSaved`
 * takes each answer in place of what was read.
 */
export function useGuardedSave<T>(etag: string | null, onSaved?: (next: Tagged<T>) => void): GuardedSave<T> {
  const action = useAction();
  const { run } = action;
  const save = useCallback(
    async (call: Call<T>, doneMessage?: string) => {
      const saved = await run(() => unwrapTagged<T>(call(ifMatch(etag))), doneMessage);
      if (saved) onSaved?.(saved);
      return saved;
    },
    [run, etag, onSaved],
  );
  return { ...action, save };
}

/**
 * What a select or a set of checkboxes chooses from: `values` worded by `label` (the value itself
 * without one), or `items` by their title (their id without one).
 */
export type Choices<V extends string> =
  | { values: readonly V[]; label?: (value: V) => string }
  | { items: readonly { id: V; title: string }[] };

function pairs<V extends string>(choices: Choices<V>): (readonly [V, string])[] {
  return "items" in choices
    ? choices.items.map((i) => [i.id, i.title || i.id] as const)
    : choices.values.map((v) => [v, choices.label?.(v) ?? v] as const);
}

/** The <option>s of a select. */
export function Options<V extends string>(choices: Choices<V>) {
  return (
    <>
      {pairs(choices).map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </>
  );
}

/** Checkboxes that choose some of the choices: `chosen` is what is ticked, `onChange` gets the next list (a new tick last). */
export function Checks<V extends string>({ chosen, onChange, ...choices }: Choices<V> & { chosen: readonly V[]; onChange(next: V[]): void }) {
  return (
    <div className="checks">
      {pairs(choices as Choices<V>).map(([value, label]) => (
        <label key={value} className="checkbox">
          <input
            type="checkbox"
            checked={chosen.includes(value)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, value] : chosen.filter((c) => c !== value))}
          />
          {label}
        </label>
      ))}
    </div>
  );
}

/** A small secondary button that removes one item, named for screen readers by `label`. */
export function RemoveButton({ label, onClick, disabled }: { label: string; onClick(): void; disabled?: boolean }) {
  return (
    <button type="button" className="button-secondary button-small" disabled={disabled} aria-label={label} onClick={onClick}>
      {t("staff.remove")}
    </button>
  );
}

/** Up, down and remove for the item `name` of an ordered list. */
export function OrderButtons({
  name,
  first,
  last,
  onMove,
  onRemove,
  removeLabel,
}: {
  name: string;
  first: boolean;
  last: boolean;
  onMove(delta: -1 | 1): void;
  onRemove(): void;
  removeLabel: string;
}) {
  return (
    <span className="icon-buttons">
      <button
        type="button"
        className="button-secondary button-small"
        disabled={first}
        aria-label={t("instructor.outline.moveUp", { name })}
        onClick={() => onMove(-1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="button-secondary button-small"
        disabled={last}
        aria-label={t("instructor.outline.moveDown", { name })}
        onClick={() => onMove(1)}
      >
        ↓
      </button>
      <RemoveButton label={removeLabel} onClick={onRemove} />
    </span>
  );
}
