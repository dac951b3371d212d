/** The learner area's reads, typed on the generated schema. */
import { api, unwrap, type Schemas } from "../api/client";

type LessonInput = Schemas["Lesson"];

/** A lesson of a published outline, with the defaults the server applies filled in. */
export interface Lesson {
  id: string;
  title: string;
  kind: LessonInput["kind"];
  required: boolean;
  text: string | null;
  durationSeconds: number | null;
  prerequisites: string[];
}

export interface Module {
  id: string;
  title: string;
  lessons: Lesson[];
}

export interface Outline {
  modules: Module[];
}
export type Enrollment = Schemas["EnrollmentView"];
export type CourseProgress = Schemas["CourseProgressView"];

/** A course as a learner sees it: its published version (the outline typed). */
export interface LearnerCourse {
  id: string;
  title: string;
  summary: string;
  description: string;
  level: string;
  language: string;
  tags: string[];
  durationMinutes: number | null;
  imageUrl: string | null;
  selfEnrollment: boolean;
  prerequisites: string[];
  version: number | null;
  outline: Outline;
}

function asOutline(value: unknown): Outline {
  const modules = (value as Schemas["Outline"] | null)?.modules ?? [];
  return {
    modules: modules.map((m) => ({
      id: m.id,
      title: m.title,
      lessons: (m.lessons ?? []).map((l) => ({
        id: l.id,
        title: l.title,
        kind: l.kind,
        required: l.required ?? true,
        text: l.text ?? null,
        durationSeconds: l.durationSeconds ?? null,
        prerequisites: l.prerequisites ?? [],
      })),
    })),
  };
}

export async function getCourse(courseId: string): Promise<LearnerCourse> {
  const body = await unwrap(api.GET("/api/v1/courses/{courseId}", { params: { path: { courseId } } }));
  const version = "publishedAt" in body ? body.version : (body.latestVersion ?? null);
  return {
    id: body.id,
    title: body.title,
    summary: body.summary,
    description: body.description,
    level: body.level,
    language: body.language,
    tags: body.tags,
    durationMinutes: body.durationMinutes ?? null,
    imageUrl: body.imageUrl ?? null,
    selfEnrollment: body.selfEnrollment,
    prerequisites: body.prerequisites,
    version: version ?? null,
    outline: asOutline(body.outline),
  };
}

/** Titles of courses by id, for prerequisites and missing courses (an id stays when the course cannot be read). */
export async function courseTitles(ids: string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(
    ids.map(async (id) => {
      try {
        return [id, (await getCourse(id)).title] as const;
      } catch {
        return [id, id] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

export function lessonsOf(course: LearnerCourse): Lesson[] {
  return course.outline.modules.flatMap((m) => m.lessons);
}

export async function myEnrollments(): Promise<Enrollment[]> {
  const all: Enrollment[] = [];
  let continuation: string | undefined;
  // A learner's enrollments fit in a few pages; read them all, as the screen lists them all.
  for (let page = 0; page < 20; page++) {
    const body = await unwrap(api.GET("/api/v1/me/enrollments", { params: { query: { limit: 200, continuation } } }));
    all.push(...body.items);
    if (!body.continuation) break;
    continuation = body.continuation;
  }
  return all;
}

export async function myEnrollment(courseId: string): Promise<Enrollment | null> {
  const list = await myEnrollments();
  return list.find((e) => e.courseId === courseId && e.status !== "cancelled") ?? null;
}

export async function myProgress(courseId: string): Promise<CourseProgress> {
  return unwrap(api.GET("/api/v1/me/courses/{courseId}/progress", { params: { path: { courseId } } }));
}
