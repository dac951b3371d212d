/**
 * How the staff screens show records (staff chunks only): a table, a continuation-paged list or
 * table with its pager, and a row of key figures.
 */
import { Fragment, type ReactNode } from "react";
import { AsyncView } from "../ui";
import { Pager, type useContinuation } from "./kit";

export interface Column {
  label: string;
  /** A right-aligned column of numbers. */
  num?: boolean;
  /** Named for screen readers only (a column of actions). */
  hidden?: boolean;
}

/**
 * A table that scrolls on its own when it is wide: its caption (for screen readers only unless
 * `showCaption`), one header row, the `children` rows, then `footer` (a pager).
 */
export function DataTable({
  caption,
  showCaption = false,
  columns,
  testId,
  footer,
  children,
}: {
  caption: string;
  showCaption?: boolean;
  columns: (string | Column)[];
  testId?: string;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <caption className={showCaption ? undefined : "visually-hidden"}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, i) => {
              const { label, num, hidden }: Column = typeof column === "string" ? { label: column } : column;
              return (
                <th key={i} scope="col" className={num ? "num" : undefined}>
                  {hidden ? <span className="visually-hidden">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {footer}
    </div>
  );
}

type Continuation = ReturnType<typeof useContinuation>;

interface Page<T> {
  items: T[];
  continuation?: string | null;
}

interface PagedProps<T> {
  state: { data: Page<T> | undefined; error: unknown; loading: boolean; reload(): void };
  paging: Continuation;
  /** Said when the first page is empty. */
  empty: string;
}

/** One page of a continuation-paged read (loading, error, `empty` when the first page has nothing) and its pager. */
function Paged<T>({ state, paging, empty, children }: PagedProps<T> & { children(items: T[], pager: ReactNode): ReactNode }) {
  return (
    <AsyncView state={state} isEmpty={(p) => p.items.length === 0 && paging.page === 1} empty={empty}>
      {(page) =>
        children(page.items, <Pager page={paging.page} continuation={page.continuation} onNext={paging.next} onPrevious={paging.previous} />)
      }
    </AsyncView>
  );
}

/** A paged read as a list of cards, one `item` each, the pager under them. */
export function PagedList<T extends { id: string }>({ item, ...props }: PagedProps<T> & { item(value: T): ReactNode }) {
  return (
    <Paged {...props}>
      {(items, pager) => (
        <>
          <ul className="list">
            {items.map((value) => (
              <li key={value.id}>{item(value)}</li>
            ))}
          </ul>
          {pager}
        </>
      )}
    </Paged>
  );
}

/** A paged read as a DataTable, one `row` (a <tr>) an item, the pager under it. */
export function PagedTable<T extends { id: string }>({
  row,
  caption,
  columns,
  testId,
  ...props
}: PagedProps<T> & { row(value: T): ReactNode; caption: string; columns: (string | Column)[]; testId?: string }) {
  return (
    <Paged {...props}>
      {(items, pager) => (
        <DataTable caption={caption} columns={columns} testId={testId} footer={pager}>
          {items.map((value) => (
            <Fragment key={value.id}>{row(value)}</Fragment>
          ))}
        </DataTable>
      )}
    </Paged>
  );
}

/** Key figures in a row of tiles: [value, label] each. */
export function Kpis({ items, label }: { items: [ReactNode, string][]; label?: string }) {
  return (
    <ul className="kpis" aria-label={label}>
      {items.map(([value, name]) => (
        <li key={name} className="kpi">
          <span className="kpi-value">{value}</span>
          <span className="kpi-label">{name}</span>
        </li>
      ))}
    </ul>
  );
}
