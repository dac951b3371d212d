/** Learning paths: ordered sets of courses taken one after the other; create, edit, publish. */
import { useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { formatDateTime } from "../i18n/format";
import { t } from "../i18n/messages";
import { useAsync } from "../lib/useAsync";
import { ActionStatus, FormFooter, Options, OrderButtons } from "../staff/forms";
import { fieldErrorsOf, StatusTag, useAction, useContinuation } from "../staff/kit";
import { PagedList } from "../staff/tables";
import { AsyncView, Field, PageTitle } from "../ui";
import { courseStatusLabel } from "./labels";

type Path = Schemas["PathView"];
type CourseSummary = Schemas["CourseSummary"];

function move<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return items;
  const out = [...items];
  const [item] = out.splice(from, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}

function PathForm({ path, courses, onSaved, onCancel }: { path?: Path; courses: CourseSummary[]; onSaved(p: Path): void; onCancel?: () => void }) {
  const [title, setTitle] = useState(path?.title ?? "");
  const [description, setDescription] = useState(path?.description ?? "");
  const [chosen, setChosen] = useState<string[]>(path?.courses ?? []);
  const [adding, setAdding] = useState("");
  const action = useAction();
  const errors = fieldErrorsOf(action.error);
  const titleOf = (id: string) => courses.find((c) => c.id === id)?.title ?? id;
  const available = courses.filter((c) => !chosen.includes(c.id));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Schemas["PathCreate"] = { title, description, courses: chosen };
    const saved = await action.run(
      () =>
        path
          ? unwrap(api.PUT("/api/v1/paths/{pathId}", { params: { path: { pathId: path.id } }, body }))
          : unwrap(api.POST("/api/v1/paths", { body })),
      t("staff.saved"),
    );
    if (saved) {
      onSaved(saved);
      if (!path) {
        setTitle("");
        setDescription("");
        setChosen([]);
      }
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field label={t("instructor.paths.title")} error={errors.title}>
        {(props) => <input {...props} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label={t("instructor.paths.description")} error={errors.description}>
        {(props) => <textarea {...props} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <fieldset>
        <legend>{t("instructor.paths.courses")}</legend>
        {chosen.length === 0 ? <p className="muted">{t("instructor.paths.noCourses")}</p> : null}
        <ol>
          {chosen.map((id, i) => (
            <li key={id}>
              {titleOf(id)}{" "}
              <OrderButtons
                name={titleOf(id)}
                first={i === 0}
                last={i === chosen.length - 1}
                onMove={(delta) => setChosen(move(chosen, i, i + delta))}
                onRemove={() => setChosen(chosen.filter((c) => c !== id))}
                removeLabel={t("instructor.paths.removeCourse", { name: titleOf(id) })}
              />
            </li>
          ))}
        </ol>
        <div className="row">
          <Field label={t("instructor.paths.addCourse")}>
            {(props) => (
              <select {...props} value={adding} onChange={(e) => setAdding(e.target.value)}>
                <option value="">{t("instructor.paths.chooseCourse")}</option>
                <Options items={available} />
              </select>
            )}
          </Field>
          <button
            type="button"
            className="button-secondary"
            disabled={!adding}
            onClick={() => {
              setChosen([...chosen, adding]);
              setAdding("");
            }}
          >
            {t("instructor.paths.add")}
          </button>
        </div>
        {errors.courses ? <p className="field-error">{errors.courses}</p> : null}
      </fieldset>
      <FormFooter action={action} submit={path ? t("common.save") : t("instructor.paths.create")} onCancel={onCancel} toolbar />
    </form>
  );
}

function PathItem({ path, courses, onChanged }: { path: Path; courses: CourseSummary[]; onChanged(): void }) {
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const titleOf = (id: string) => courses.find((c) => c.id === id)?.title ?? id;
  async function publish() {
    const done = await action.run(
      () => unwrap(api.POST("/api/v1/paths/{pathId}/publish", { params: { path: { pathId: path.id } } })),
      t("instructor.paths.published"),
    );
    if (done) onChanged();
  }
  if (editing)
    return (
      <PathForm
        path={path}
        courses={courses}
        onSaved={() => {
          setEditing(false);
          onChanged();
        }}
        onCancel={() => setEditing(false)}
      />
    );
  return (
    <div className="stack">
      <p>
        <strong>{path.title}</strong> <StatusTag status={path.status} label={courseStatusLabel(path.status)} />
      </p>
      {path.description ? <p className="muted">{path.description}</p> : null}
      <ol>
        {path.courses.map((id) => (
          <li key={id}>{titleOf(id)}</li>
        ))}
      </ol>
      <span className="outline-id">{t("staff.updated", { at: formatDateTime(path.updatedAt) })}</span>
      <div className="toolbar">
        <button type="button" className="button-secondary button-small" onClick={() => setEditing(true)}>
          {t("instructor.paths.edit", { name: path.title })}
        </button>
        {path.status !== "published" ? (
          <button type="button" className="button-small" onClick={() => void publish()} disabled={action.busy}>
            {t("instructor.paths.publish")}
          </button>
        ) : null}
      </div>
      <ActionStatus action={action} />
    </div>
  );
}

export default function PathsPage() {
  const paging = useContinuation();
  const paths = useAsync(
    () => unwrap(api.GET("/api/v1/paths", { params: { query: { limit: 25, continuation: paging.token ?? undefined } } })),
    [paging.token],
  );
  const courses = useAsync(() => unwrap(api.GET("/api/v1/courses", { params: { query: { limit: 200 } } })), []);
  return (
    <>
      <PageTitle subtitle={t("instructor.paths.intro")}>{t("instructor.nav.paths")}</PageTitle>
      <AsyncView state={courses}>
        {(c) => (
          <>
            <PagedList
              state={paths}
              paging={paging}
              empty={t("instructor.paths.none")}
              item={(path) => <PathItem path={path} courses={c.items} onChanged={paths.reload} />}
            />
            <section className="section" aria-labelledby="new-path">
              <h2 id="new-path">{t("instructor.paths.new")}</h2>
              <PathForm courses={c.items} onSaved={() => paths.reload()} />
            </section>
          </>
        )}
      </AsyncView>
    </>
  );
}
