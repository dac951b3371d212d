/** The outline editor: modules and lessons (title, kind, required, prerequisites, text), in order. */
import { useEffect, useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { t } from "../i18n/messages";
import { unwrapTagged } from "../staff/api";
import { Done, useAction, FormProblem } from "../staff/kit";
import { Field, PageTitle } from "../ui";
import { useCourse } from "./CourseLayout";
import { kindLabel } from "./labels";
import {
  addLesson,
  addModule,
  earlierLessons,
  LESSON_KINDS,
  moveLesson,
  moveModule,
  outlineProblems,
  parseOutline,
  removeLesson,
  removeModule,
  renameModule,
  toOutlineBody,
  updateLesson,
  type EditLesson,
  type EditOutline,
  type LessonAt,
  type LessonKind,
  type OutlineProblem,
} from "./outline";

function problemText(problem: OutlineProblem): string {
  switch (problem.kind) {
    case "duplicateId":
      return t("instructor.outline.problem.duplicateId", { id: problem.id });
    case "badId":
      return t("instructor.outline.problem.badId", { id: problem.id });
    case "emptyTitle":
      return t("instructor.outline.problem.emptyTitle", { id: problem.id });
    case "missingPackage":
      return t("instructor.outline.problem.missingPackage", { id: problem.id });
  }
}

function LessonEditor({
  outline,
  at,
  lesson,
  count,
  moduleCount,
  onChange,
  courseId,
  saved,
}: {
  outline: EditOutline;
  at: LessonAt;
  lesson: EditLesson;
  count: number;
  moduleCount: number;
  onChange(next: EditOutline): void;
  courseId: string;
  saved: boolean;
}) {
  const earlier = earlierLessons(outline, at);
  const first = at.module === 0 && at.lesson === 0;
  const last = at.module === moduleCount - 1 && at.lesson === count - 1;
  const name = lesson.title || lesson.id;
  const set = (change: Partial<Omit<EditLesson, "id">>) => onChange(updateLesson(outline, at, change));
  const hasPage = lesson.kind !== "scorm";
  return (
    <li className="outline-lesson">
      <div className="outline-lesson-head">
        <Field label={t("instructor.outline.lessonTitle")}>
          {(props) => <input {...props} value={lesson.title} onChange={(e) => set({ title: e.target.value })} />}
        </Field>
        <div className="field field-kind">
          <Field label={t("instructor.outline.kind")}>
            {(props) => (
              <select {...props} value={lesson.kind} onChange={(e) => set({ kind: e.target.value as LessonKind })}>
                {LESSON_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {kindLabel(k)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={lesson.required} onChange={(e) => set({ required: e.target.checked })} />
          {t("instructor.outline.required")}
        </label>
        <span className="icon-buttons">
          <button
            type="button"
            className="button-secondary button-small"
            disabled={first}
            aria-label={t("instructor.outline.moveUp", { name })}
            onClick={() => onChange(moveLesson(outline, at, -1))}
          >
            ↑
          </button>
          <button
            type="button"
            className="button-secondary button-small"
            disabled={last}
            aria-label={t("instructor.outline.moveDown", { name })}
            onClick={() => onChange(moveLesson(outline, at, 1))}
          >
            ↓
          </button>
          <button
            type="button"
            className="button-secondary button-small"
            aria-label={t("instructor.outline.removeLesson", { name })}
            onClick={() => onChange(removeLesson(outline, at))}
          >
            {t("staff.remove")}
          </button>
        </span>
      </div>
      <span className="outline-id">
        {t("instructor.outline.id", { id: lesson.id })}
        {hasPage && saved ? (
          <>
            {" · "}
            <Link to={`/instructor/courses/${encodeURIComponent(courseId)}/lessons/${encodeURIComponent(lesson.id)}`}>
              {lesson.kind === "video"
                ? t("instructor.outline.openVideo", { name })
                : lesson.kind === "quiz"
                  ? t("instructor.outline.openQuiz", { name })
                  : t("instructor.outline.openText", { name })}
            </Link>
          </>
        ) : null}
        {hasPage && !saved ? ` · ${t("instructor.outline.saveFirst")}` : null}
      </span>
      {lesson.kind === "text" ? (
        <Field label={t("instructor.outline.text")}>
          {(props) => <textarea {...props} rows={4} value={lesson.text ?? ""} onChange={(e) => set({ text: e.target.value })} />}
        </Field>
      ) : null}
      {lesson.kind === "scorm" ? (
        <div className="row">
          <Field label={t("instructor.outline.packageContainer")}>
            {(props) => (
              <input {...props} value={lesson.package?.container ?? ""} onChange={(e) => set({ package: { container: e.target.value, name: lesson.package?.name ?? "" } })} />
            )}
          </Field>
          <Field label={t("instructor.outline.packageName")}>
            {(props) => (
              <input {...props} value={lesson.package?.name ?? ""} onChange={(e) => set({ package: { container: lesson.package?.container ?? "", name: e.target.value } })} />
            )}
          </Field>
        </div>
      ) : null}
      {earlier.length > 0 ? (
        <fieldset>
          <legend>{t("instructor.outline.prerequisites", { name })}</legend>
          <div className="checks">
            {earlier.map((p) => (
              <label key={p.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={lesson.prerequisites.includes(p.id)}
                  onChange={(e) =>
                    set({ prerequisites: e.target.checked ? [...lesson.prerequisites, p.id] : lesson.prerequisites.filter((x) => x !== p.id) })
                  }
                />
                {p.title || p.id}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
    </li>
  );
}

function AddLesson({ onAdd }: { onAdd(title: string, kind: LessonKind): void }) {
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState<LessonKind>("video");
  const id = useId();
  return (
    <div className="row" role="group" aria-labelledby={`${id}-label`}>
      <span id={`${id}-label`} className="visually-hidden">
        {t("instructor.outline.addLesson")}
      </span>
      <Field label={t("instructor.outline.newLessonTitle")}>
        {(props) => <input {...props} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label={t("instructor.outline.kind")}>
        {(props) => (
          <select {...props} value={kind} onChange={(e) => setKind(e.target.value as LessonKind)}>
            {LESSON_KINDS.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button
        type="button"
        className="button-secondary"
        disabled={!title.trim()}
        onClick={() => {
          onAdd(title.trim(), kind);
          setTitle("");
        }}
      >
        {t("instructor.outline.addLesson")}
      </button>
    </div>
  );
}

export default function OutlinePage() {
  const { course, etag, update } = useCourse();
  const [outline, setOutline] = useState<EditOutline>(() => parseOutline(course.outline));
  const [dirty, setDirty] = useState(false);
  const [moduleTitle, setModuleTitle] = useState("");
  const action = useAction();
  const problems = outlineProblems(outline);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  function change(next: EditOutline) {
    setOutline(next);
    setDirty(true);
    action.reset();
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const saved = await action.run(
      () =>
        unwrapTagged(
          api.PUT("/api/v1/courses/{courseId}/outline", {
            params: { path: { courseId: course.id }, header: etag ? { "If-Match": etag } : {} },
            body: toOutlineBody(outline),
          }),
        ),
      t("instructor.outline.saved"),
    );
    if (saved) {
      update(saved);
      setOutline(parseOutline(saved.data.outline));
      setDirty(false);
    }
  }

  return (
    <form onSubmit={save} noValidate>
      <PageTitle subtitle={t("instructor.outline.intro")}>{t("instructor.outline.title")}</PageTitle>
      {outline.modules.length === 0 ? <p className="state state-empty">{t("instructor.outline.empty")}</p> : null}
      {outline.modules.map((module, m) => (
        <section key={module.id} className="outline-module" aria-label={t("instructor.outline.module", { name: module.title || module.id })}>
          <div className="outline-module-head">
            <Field label={t("instructor.outline.moduleTitle")}>
              {(props) => <input {...props} value={module.title} onChange={(e) => change(renameModule(outline, m, e.target.value))} />}
            </Field>
            <span className="icon-buttons">
              <button
                type="button"
                className="button-secondary button-small"
                disabled={m === 0}
                aria-label={t("instructor.outline.moveUp", { name: module.title || module.id })}
                onClick={() => change(moveModule(outline, m, -1))}
              >
                ↑
              </button>
              <button
                type="button"
                className="button-secondary button-small"
                disabled={m === outline.modules.length - 1}
                aria-label={t("instructor.outline.moveDown", { name: module.title || module.id })}
                onClick={() => change(moveModule(outline, m, 1))}
              >
                ↓
              </button>
              <button
                type="button"
                className="button-secondary button-small"
                aria-label={t("instructor.outline.removeModule", { name: module.title || module.id })}
                onClick={() => change(removeModule(outline, m))}
              >
                {t("staff.remove")}
              </button>
            </span>
          </div>
          <span className="outline-id">{t("instructor.outline.id", { id: module.id })}</span>
          {module.lessons.length === 0 ? <p className="muted">{t("instructor.outline.noLessons")}</p> : null}
          <ol className="outline-lessons">
            {module.lessons.map((lesson, l) => (
              <LessonEditor
                key={lesson.id}
                outline={outline}
                at={{ module: m, lesson: l }}
                lesson={lesson}
                count={module.lessons.length}
                moduleCount={outline.modules.length}
                onChange={change}
                courseId={course.id}
                saved={!dirty}
              />
            ))}
          </ol>
          <AddLesson onAdd={(title, kind) => change(addLesson(outline, m, title, kind))} />
        </section>
      ))}
      <div className="row section">
        <Field label={t("instructor.outline.newModuleTitle")}>
          {(props) => <input {...props} value={moduleTitle} onChange={(e) => setModuleTitle(e.target.value)} />}
        </Field>
        <button
          type="button"
          className="button-secondary"
          disabled={!moduleTitle.trim()}
          onClick={() => {
            change(addModule(outline, moduleTitle.trim()));
            setModuleTitle("");
          }}
        >
          {t("instructor.outline.addModule")}
        </button>
      </div>
      {problems.length > 0 ? (
        <div className="state state-error" role="alert">
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{problemText(p)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <FormProblem error={action.error} />
      <Done message={action.done} />
      <div className="toolbar">
        <button type="submit" disabled={action.busy || problems.length > 0 || !dirty}>
          {action.busy ? t("staff.saving") : t("instructor.outline.save")}
        </button>
        {dirty ? <span className="muted">{t("instructor.outline.unsaved")}</span> : null}
      </div>
    </form>
  );
}
