/**
 * Essay grading: the rubric form of an attempt, the grades body, and the grading queue.
 *
 * The API has no route that lists the attempts awaiting grading. Its attempt ids are
 * deterministic — the first 32 hex digits of SHA-256 over "tenant|user|course|lesson|number"
 * (shared/assessment/attempts.py `attempt_id`, so two concurrent starts collide) — and staff may
 * read any attempt of the tenant. The queue therefore walks a course's roster and quiz lessons and
 * reads each learner's attempts 1, 2, ... until one does not exist. That is one read per attempt
 * made plus one per learner and quiz: fine for a class, not for thousands of learners; a listing
 * route (`GET /api/v1/attempts?status=awaiting_grading`) would replace `findAttempts`.
 */
import type { Schemas } from "../api/client";

export type Attempt = Schemas["AttemptView"];
export type AttemptItem = Schemas["AttemptItemView"];

export interface RubricCriterion {
  id: string;
  criterion: string;
  points: number;
}

/** The rubric of an essay item (staff see it as the item's `key`). */
export function rubricOf(item: AttemptItem): RubricCriterion[] {
  const rubric = (item.key as { rubric?: unknown } | null | undefined)?.rubric;
  if (!Array.isArray(rubric)) return [];
  return rubric
    .map((c: Record<string, unknown>) => ({
      id: String(c.id ?? ""),
      criterion: String(c.criterion ?? ""),
      points: typeof c.points === "number" ? c.points : Number(c.points),
    }))
    .filter((c) => c.id && Number.isFinite(c.points));
}

export function essayItems(attempt: Attempt): AttemptItem[] {
  return attempt.items.filter((item) => item.type === "essay");
}

/** Points by criterion (as typed) and a comment, per essay question. */
export interface EssayGradeForm {
  criteria: Record<string, string>;
  comment: string;
}

/** The form of each essay item, filled with its current grade when it has one. */
export function gradeForms(attempt: Attempt): Record<string, EssayGradeForm> {
  const out: Record<string, EssayGradeForm> = {};
  for (const item of essayItems(attempt)) {
    const grade = item.grade as { criteria?: Record<string, number>; comment?: string | null } | null | undefined;
    const criteria: Record<string, string> = {};
    for (const c of rubricOf(item)) {
      const given = grade?.criteria?.[c.id];
      criteria[c.id] = typeof given === "number" ? String(given) : "";
    }
    out[item.questionId] = { criteria, comment: grade?.comment ?? "" };
  }
  return out;
}

export function isGraded(item: AttemptItem): boolean {
  return Boolean(item.grade);
}

function points(text: string): number {
  const value = Number(text.trim().replace(",", "."));
  return text.trim() === "" ? Number.NaN : value;
}

/** The sum of the typed points of one essay (NaN while a criterion is empty or not a number). */
export function formTotal(form: EssayGradeForm): number {
  return Object.values(form.criteria).reduce((sum, p) => sum + points(p), 0);
}

export interface GradeProblem {
  questionId: string;
  criterionId: string;
  problem: "missing" | "notANumber" | "negative" | "overMax";
  max: number;
}

/** What the server would refuse in the forms: every criterion given, a number, within 0..max. */
export function gradeProblems(attempt: Attempt, forms: Record<string, EssayGradeForm>): GradeProblem[] {
  const problems: GradeProblem[] = [];
  for (const item of essayItems(attempt)) {
    const form = forms[item.questionId];
    if (!form) continue;
    for (const c of rubricOf(item)) {
      const raw = form.criteria[c.id] ?? "";
      const value = points(raw);
      const at = { questionId: item.questionId, criterionId: c.id, max: c.points };
      if (raw.trim() === "") problems.push({ ...at, problem: "missing" });
      else if (!Number.isFinite(value)) problems.push({ ...at, problem: "notANumber" });
      else if (value < 0) problems.push({ ...at, problem: "negative" });
      else if (value > c.points) problems.push({ ...at, problem: "overMax" });
    }
  }
  return problems;
}

/** Whether the forms change a grade already given (the server then needs a reason). */
export function changesAGrade(attempt: Attempt, forms: Record<string, EssayGradeForm>): boolean {
  return essayItems(attempt).some((item) => {
    const grade = item.grade as { criteria?: Record<string, number>; comment?: string | null } | null | undefined;
    const form = forms[item.questionId];
    if (!grade || !form) return false;
    const criteriaChanged = rubricOf(item).some((c) => points(form.criteria[c.id] ?? "") !== grade.criteria?.[c.id]);
    return criteriaChanged || (form.comment.trim() || null) !== (grade.comment ?? null);
  });
}

/** The grades body: the essays whose forms are complete (a partial grading saves what is done). */
export function gradesBody(attempt: Attempt, forms: Record<string, EssayGradeForm>, reason: string): Schemas["GradesBody"] {
  const grades: Schemas["EssayGrade"][] = [];
  for (const item of essayItems(attempt)) {
    const form = forms[item.questionId];
    const rubric = rubricOf(item);
    if (!form || rubric.some((c) => !Number.isFinite(points(form.criteria[c.id] ?? "")))) continue;
    grades.push({
      questionId: item.questionId,
      criteria: rubric.map((c) => ({ criterionId: c.id, points: points(form.criteria[c.id] ?? "") })),
      comment: form.comment.trim() ? form.comment.trim() : null,
    });
  }
  return { grades, reason: reason.trim() ? reason.trim() : null };
}

// --- the queue -------------------------------------------------------------------------------------

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The id of a learner's n-th attempt at a quiz (shared/assessment/attempts.py `attempt_id`). */
export async function attemptId(tenantId: string, userId: string, courseId: string, lessonId: string, n: number): Promise<string> {
  return (await sha256Hex([tenantId, userId, courseId, lessonId, String(n)].join("|"))).slice(0, 32);
}

export interface QueueScope {
  tenantId: string;
  courseId: string;
  quizLessons: string[];
  learners: string[];
  /** The most attempts a quiz allows (reads stop at the first attempt that does not exist anyway). */
  maxAttempts: number;
}

/** Reads one attempt; null when it does not exist (404). Other failures propagate. */
export type ReadAttempt = (attemptId: string) => Promise<Attempt | null>;

/** Every attempt made at the scope's quizzes, walking each learner's attempts in order. */
export async function findAttempts(scope: QueueScope, read: ReadAttempt, concurrency = 6): Promise<Attempt[]> {
  const pairs = scope.learners.flatMap((userId) => scope.quizLessons.map((lessonId) => ({ userId, lessonId })));
  const found: Attempt[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < pairs.length) {
      const pair = pairs[next++];
      if (!pair) return;
      for (let n = 1; n <= scope.maxAttempts; n++) {
        const attempt = await read(await attemptId(scope.tenantId, pair.userId, scope.courseId, pair.lessonId, n));
        if (!attempt) break;
        found.push(attempt);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pairs.length)) }, worker));
  return sortQueue(found);
}

/** Awaiting grading first, oldest submission first (the fairest order to grade in); then graded. */
export function sortQueue(attempts: readonly Attempt[]): Attempt[] {
  const rank = (a: Attempt) => (a.status === "awaiting_grading" ? 0 : a.status === "graded" ? 1 : 2);
  return [...attempts].sort(
    (a, b) => rank(a) - rank(b) || (a.submittedAt ?? a.startedAt).localeCompare(b.submittedAt ?? b.startedAt) || a.id.localeCompare(b.id),
  );
}

/** Attempts with essays: the ones a grader has something to do with. */
export function withEssays(attempts: readonly Attempt[]): Attempt[] {
  return attempts.filter((a) => a.status !== "open" && essayItems(a).length > 0);
}
