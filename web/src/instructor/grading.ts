/**
 * Essay grading: the rubric form of an attempt, the grades body, and the grading queue.
 *
 * The queue is the API's list of a course's attempts (`GET /api/v1/courses/{courseId}/attempts`),
 * filtered by status and quiz lesson, oldest submission first: one request per page, whatever the
 * size of the roster.
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

export type AttemptSummary = Schemas["AttemptSummary"];

/** What the queue shows: the attempts waiting for a grader, or those graded (to regrade an essay). */
export type QueueView = "awaiting_grading" | "graded";

/** Attempts with essays: the ones a grader has something to do with (an objective quiz grades itself). */
export function hasEssays(attempt: AttemptSummary): boolean {
  return attempt.essayQuestionIds.length > 0;
}

/** One page of the API's list, from a continuation token (undefined: the first page). */
export type FetchAttempts = (continuation: string | undefined) => Promise<{ items: AttemptSummary[]; continuation?: string | null }>;

export interface QueuePage {
  items: AttemptSummary[];
  /** The token of the page after this one; null at the end. */
  continuation: string | null;
}

/**
 * A page of the queue: the attempts with essays of the API's pages from `start` on, in the API's
 * order (oldest submission first). Graded attempts include quizzes without essays, which the queue
 * leaves out, so it reads further pages until it has `want` attempts, the list ends, or it made
 * `maxRequests` requests (then the next page goes on from there).
 */
export async function queuePage(fetchPage: FetchAttempts, start: string | undefined, want: number, maxRequests = 5): Promise<QueuePage> {
  const items: AttemptSummary[] = [];
  let continuation: string | null = start ?? null;
  for (let request = 0; request < maxRequests; request++) {
    const page = await fetchPage(continuation ?? undefined);
    items.push(...page.items.filter(hasEssays));
    continuation = page.continuation ?? null;
    if (!continuation || items.length >= want) break;
  }
  return { items, continuation };
}
