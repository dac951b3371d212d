/** The outline editor: modules and lessons (title, kind, required, prerequisites, text), in order. */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { t } from "../i18n/messages";
import { Checks, FormFooter, Options, OrderButtons, useGuardedSave } from "../staff/forms";
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
                <Options values={LESSON_KINDS} label={kindLabel} />
              </select>
            )}
          </Field>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={lesson.required} onChange={(e) => set({ required: e.target.checked })} />
          {t("instructor.outline.required")}
        </label>
        <OrderButtons
          name={name}
          first={first}
          last={last}
          onMove={(delta) => onChange(moveLesson(outline, at, delta))}
          onRemove={() => onChange(removeLesson(outline, at))}
          removeLabel={t("instructor.outline.removeLesson", { name })}
        />
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
          <Checks items={earlier} chosen={lesson.prerequisites} onChange={(next) => set({ prerequisites: next })} />
        </fieldset>
      ) : null}
    </li>
  );
}

/**
 * A title field and the button that adds what it names, then empties the field; `children` (the
 * lesson's kind) between them; `group` names the row for screen readers.
 */
function AddByTitle({
  titleLabel,
  button,
  group,
  className = "row",
  onAdd,
  children,
}: {
  titleLabel: string;
  button: string;
  group?: string;
  className?: string;
  onAdd(title: string): void;
  children?: ReactNode;
}) {
  const [title, setTitle] = useState("");
  const id = useId();
  return (
    <div className={className} role={group ? "group" : undefined} aria-labelledby={group ? `${id}-label` : undefined}>
      {group ? (
        <span id={`${id}-label`} className="visually-hidden">
          {group}
        </span>
      ) : null}
      <Field label={titleLabel}>{(props) => <input {...props} value={title} onChange={(e) => setTitle(e.target.value)} />}</Field>
      {children}
      <button
        type="button"
        className="button-secondary"
        disabled={!title.trim()}
        onClick={() => {
          onAdd(title.trim());
          setTitle("");
        }}
      >
        {button}
      </button>
    </div>
  );
}

function AddLesson({ onAdd }: { onAdd(title: string, kind: LessonKind): void }) {
  const [kind, setKind] = useState<LessonKind>("video");
  return (
    <AddByTitle
      titleLabel={t("instructor.outline.newLessonTitle")}
      button={t("instructor.outline.addLesson")}
      group={t("instructor.outline.addLesson")}
      onAdd={(title) => onAdd(title, kind)}
    >
      <Field label={t("instructor.outline.kind")}>
        {(props) => (
          <select {...props} value={kind} onChange={(e) => setKind(e.target.value as LessonKind)}>
            <Options values={LESSON_KINDS} label={kindLabel} />
          </select>
        )}
      </Field>
    </AddByTitle>
  );
}

export default function OutlinePage() {
  const { course, etag, update } = useCourse();
  const [outline, setOutline] = useState<EditOutline>(() => parseOutline(course.outline));
  const [dirty, setDirty] = useState(false);
  const action = useGuardedSave(etag, update);
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
    const saved = await action.save(
      (header) => api.PUT("/api/v1/courses/{courseId}/outline", { params: { path: { courseId: course.id }, header }, body: toOutlineBody(outline) }),
      t("instructor.outline.saved"),
    );
    if (saved) {
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
            <OrderButtons
              name={module.title || module.id}
              first={m === 0}
              last={m === outline.modules.length - 1}
              onMove={(delta) => change(moveModule(outline, m, delta))}
              onRemove={() => change(removeModule(outline, m))}
              removeLabel={t("instructor.outline.removeModule", { name: module.title || module.id })}
            />
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
      <AddByTitle
        className="row section"
        titleLabel={t("instructor.outline.newModuleTitle")}
        button={t("instructor.outline.addModule")}
        onAdd={(title) => change(addModule(outline, title))}
      />
      {problems.length > 0 ? (
        <div className="state state-error" role="alert">
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{problemText(p)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <FormFooter
        action={action}
        submit={t("instructor.outline.save")}
        busyLabel={t("staff.saving")}
        disabled={problems.length > 0 || !dirty}
        toolbar
      >
        {dirty ? <span className="muted">{t("instructor.outline.unsaved")}</span> : null}
      </FormFooter>
    </form>
  );
}
