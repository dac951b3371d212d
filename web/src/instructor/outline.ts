/**
 * Editing a course outline: modules and lessons in order, as `PUT /api/v1/courses/{id}/outline`
 * takes it. Every operation is pure (a new outline, the old one untouched), so the editor can
 * undo by keeping the previous value and the rules are unit-tested. The server checks the same
 * rules again (shared/catalog/model.py `check_outline`); `outlineProblems` only says earlier.
 */
import type { Schemas } from "../api/client";

export type LessonKind = Schemas["Lesson"]["kind"];
export const LESSON_KINDS: readonly LessonKind[] = ["video", "text", "quiz", "scorm"];

export interface EditLesson {
  id: string;
  title: string;
  kind: LessonKind;
  required: boolean;
  durationSeconds: number | null;
  prerequisites: string[];
  text: string | null;
  package: { container: string; name: string } | null;
}

export interface EditModule {
  id: string;
  title: string;
  lessons: EditLesson[];
}

export interface EditOutline {
  modules: EditModule[];
}

/** Where a lesson is: module index and lesson index within it. */
export interface LessonAt {
  module: number;
  lesson: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function asString(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function asKind(value: unknown): LessonKind {
  return LESSON_KINDS.find((k) => k === value) ?? "text";
}

/** The outline of a course as the API answers it (a free-form object in the schema), typed. */
export function parseOutline(raw: unknown): EditOutline {
  const modules = (raw as { modules?: unknown } | null)?.modules;
  if (!Array.isArray(modules)) return { modules: [] };
  return {
    modules: modules.map((m: Record<string, unknown>) => ({
      id: asString(m.id),
      title: asString(m.title),
      lessons: (Array.isArray(m.lessons) ? m.lessons : []).map((l: Record<string, unknown>) => {
        const pkg = l.package as { container?: unknown; name?: unknown } | null | undefined;
        return {
          id: asString(l.id),
          title: asString(l.title),
          kind: asKind(l.kind),
          required: l.required !== false,
          durationSeconds: typeof l.durationSeconds === "number" ? l.durationSeconds : null,
          prerequisites: Array.isArray(l.prerequisites) ? l.prerequisites.filter((p): p is string => typeof p === "string") : [],
          text: typeof l.text === "string" ? l.text : null,
          package: pkg ? { container: asString(pkg.container), name: asString(pkg.name) } : null,
        };
      }),
    })),
  };
}

/** The body of the outline route: only the fields each kind has. */
export function toOutlineBody(outline: EditOutline): Schemas["Outline"] {
  return {
    modules: outline.modules.map((m) => ({
      id: m.id,
      title: m.title,
      lessons: m.lessons.map((l) => ({
        id: l.id,
        title: l.title,
        kind: l.kind,
        required: l.required,
        durationSeconds: l.durationSeconds,
        prerequisites: l.prerequisites,
        text: l.kind === "text" ? (l.text ?? "") : null,
        package: l.kind === "scorm" ? l.package : null,
      })),
    })),
  };
}

export function allLessons(outline: EditOutline): EditLesson[] {
  return outline.modules.flatMap((m) => m.lessons);
}

function allIds(outline: EditOutline): Set<string> {
  return new Set([...outline.modules.map((m) => m.id), ...allLessons(outline).map((l) => l.id)]);
}

/** An id made of the title's letters and digits ("Intro to SQL" -> "intro-to-sql"), unique among `taken`. */
export function slugId(title: string, taken: Iterable<string>, fallback = "item"): string {
  const used = new Set(taken);
  const base =
    title
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 56) || fallback;
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

export function addModule(outline: EditOutline, title: string): EditOutline {
  const id = slugId(title, allIds(outline), "module");
  return { modules: [...outline.modules, { id, title, lessons: [] }] };
}

export function addLesson(outline: EditOutline, moduleIndex: number, title: string, kind: LessonKind): EditOutline {
  const id = slugId(title, allIds(outline), "lesson");
  const lesson: EditLesson = {
    id,
    title,
    kind,
    required: true,
    durationSeconds: null,
    prerequisites: [],
    text: kind === "text" ? "" : null,
    package: kind === "scorm" ? { container: "", name: "" } : null,
  };
  return {
    modules: outline.modules.map((m, i) => (i === moduleIndex ? { ...m, lessons: [...m.lessons, lesson] } : m)),
  };
}

export function renameModule(outline: EditOutline, moduleIndex: number, title: string): EditOutline {
  return { modules: outline.modules.map((m, i) => (i === moduleIndex ? { ...m, title } : m)) };
}

/** Removes a module and its lessons; prerequisites naming those lessons are dropped. */
export function removeModule(outline: EditOutline, moduleIndex: number): EditOutline {
  const gone = new Set(outline.modules[moduleIndex]?.lessons.map((l) => l.id) ?? []);
  return withoutPrerequisites({ modules: outline.modules.filter((_, i) => i !== moduleIndex) }, gone);
}

export function removeLesson(outline: EditOutline, at: LessonAt): EditOutline {
  const lesson = outline.modules[at.module]?.lessons[at.lesson];
  if (!lesson) return outline;
  const modules = outline.modules.map((m, i) =>
    i === at.module ? { ...m, lessons: m.lessons.filter((_, j) => j !== at.lesson) } : m,
  );
  return withoutPrerequisites({ modules }, new Set([lesson.id]));
}

/** Changes one lesson. A kind change clears what only the old kind had (text, SCORM package). */
export function updateLesson(outline: EditOutline, at: LessonAt, change: Partial<Omit<EditLesson, "id">>): EditOutline {
  return {
    modules: outline.modules.map((m, i) =>
      i !== at.module
        ? m
        : {
            ...m,
            lessons: m.lessons.map((l, j) => {
              if (j !== at.lesson) return l;
              const next = { ...l, ...change };
              if (change.kind && change.kind !== l.kind) {
                next.text = change.kind === "text" ? (l.text ?? "") : null;
                next.package = change.kind === "scorm" ? (l.package ?? { container: "", name: "" }) : null;
              }
              return next;
            }),
          },
    ),
  };
}

function move<T>(items: readonly T[], from: number, to: number): T[] {
  const out = [...items];
  const [item] = out.splice(from, 1);
  if (item === undefined) return [...items];
  out.splice(to, 0, item);
  return out;
}

/** Moves a module up (-1) or down (+1); prerequisites that would now come later are dropped. */
export function moveModule(outline: EditOutline, moduleIndex: number, delta: -1 | 1): EditOutline {
  const to = moduleIndex + delta;
  if (to < 0 || to >= outline.modules.length) return outline;
  return keepPrerequisitesEarlier({ modules: move(outline.modules, moduleIndex, to) });
}

/**
 * Moves a lesson one place up or down; past the first or last lesson of its module it goes to the
 * end of the module before, or the start of the module after. Prerequisites that would come
 * after the lesson are dropped.
 */
export function moveLesson(outline: EditOutline, at: LessonAt, delta: -1 | 1): EditOutline {
  const module = outline.modules[at.module];
  const lesson = module?.lessons[at.lesson];
  if (!module || !lesson) return outline;
  const to = at.lesson + delta;
  let modules: EditModule[];
  if (to >= 0 && to < module.lessons.length) {
    modules = outline.modules.map((m, i) => (i === at.module ? { ...m, lessons: move(m.lessons, at.lesson, to) } : m));
  } else {
    const target = at.module + delta;
    if (target < 0 || target >= outline.modules.length) return outline;
    modules = outline.modules.map((m, i) => {
      if (i === at.module) return { ...m, lessons: m.lessons.filter((_, j) => j !== at.lesson) };
      if (i === target) return { ...m, lessons: delta < 0 ? [...m.lessons, lesson] : [lesson, ...m.lessons] };
      return m;
    });
  }
  return keepPrerequisitesEarlier({ modules });
}

function withoutPrerequisites(outline: EditOutline, gone: Set<string>): EditOutline {
  if (gone.size === 0) return outline;
  return {
    modules: outline.modules.map((m) => ({
      ...m,
      lessons: m.lessons.map((l) =>
        l.prerequisites.some((p) => gone.has(p)) ? { ...l, prerequisites: l.prerequisites.filter((p) => !gone.has(p)) } : l,
      ),
    })),
  };
}

/** Drops each prerequisite that does not name an earlier lesson (the server refuses those). */
export function keepPrerequisitesEarlier(outline: EditOutline): EditOutline {
  const seen = new Set<string>();
  return {
    modules: outline.modules.map((m) => ({
      ...m,
      lessons: m.lessons.map((l) => {
        const kept = l.prerequisites.filter((p) => seen.has(p));
        seen.add(l.id);
        return kept.length === l.prerequisites.length ? l : { ...l, prerequisites: kept };
      }),
    })),
  };
}

/** The lessons before `at`: the only ones it may require. */
export function earlierLessons(outline: EditOutline, at: LessonAt): EditLesson[] {
  const out: EditLesson[] = [];
  outline.modules.forEach((m, i) =>
    m.lessons.forEach((l, j) => {
      if (i < at.module || (i === at.module && j < at.lesson)) out.push(l);
    }),
  );
  return out;
}

export type OutlineProblem =
  | { kind: "duplicateId"; id: string }
  | { kind: "badId"; id: string }
  | { kind: "emptyTitle"; id: string }
  | { kind: "missingPackage"; id: string };

/** What the server would refuse, said before saving (ids unique and well-formed, titles, packages). */
export function outlineProblems(outline: EditOutline): OutlineProblem[] {
  const problems: OutlineProblem[] = [];
  const moduleIds = new Set<string>();
  const lessonIds = new Set<string>();
  for (const m of outline.modules) {
    if (!ID.test(m.id)) problems.push({ kind: "badId", id: m.id });
    if (moduleIds.has(m.id)) problems.push({ kind: "duplicateId", id: m.id });
    moduleIds.add(m.id);
    if (!m.title.trim()) problems.push({ kind: "emptyTitle", id: m.id });
    for (const l of m.lessons) {
      if (!ID.test(l.id)) problems.push({ kind: "badId", id: l.id });
      if (lessonIds.has(l.id)) problems.push({ kind: "duplicateId", id: l.id });
      lessonIds.add(l.id);
      if (!l.title.trim()) problems.push({ kind: "emptyTitle", id: l.id });
      if (l.kind === "scorm" && (!l.package?.container || !l.package.name)) problems.push({ kind: "missingPackage", id: l.id });
    }
  }
  return problems;
}
