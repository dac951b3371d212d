/**
 * The course report as chart series: the enrollment and completion funnel, drop-off and time on
 * task by lesson (from `GET /api/v1/reports/courses/{id}`), quiz score distributions, and the
 * progress distribution, which the report gives only as a mean, so it is binned here from the
 * learners' progress (`GET /api/v1/courses/{id}/progress/{userId}` for the roster). Pure.
 */
import type { Schemas } from "../api/client";

export type CourseReport = Schemas["CourseReport"];

export interface FunnelStep {
  step: "enrolled" | "started" | "completed";
  learners: number;
}

/** Enrolled, started (enrolled minus not started), completed. */
export function funnel(report: CourseReport): FunnelStep[] {
  return [
    { step: "enrolled", learners: report.enrollments },
    { step: "started", learners: Math.max(0, report.enrollments - report.notStarted) },
    { step: "completed", learners: report.completed },
  ];
}

export interface LessonRow {
  lessonId: string;
  label: string;
  started: number;
  completed: number;
  stoppedHere: number;
  averageMinutes: number;
}

/** One row per lesson, in outline order; a lesson no longer in the outline is labelled by its id. */
export function lessonRows(report: CourseReport): LessonRow[] {
  return report.lessons.map((l) => ({
    lessonId: l.lessonId,
    label: l.title ?? l.lessonId,
    started: l.started,
    completed: l.completed,
    stoppedHere: l.stoppedHere,
    averageMinutes: Math.round((l.averageActiveSeconds / 60) * 10) / 10,
  }));
}

export interface Bucket {
  min: number;
  max: number;
  count: number;
}

/** `percents` (0..100) in `buckets` equal bins; 100 falls in the last bin. */
export function progressHistogram(percents: readonly number[], buckets = 5): Bucket[] {
  const width = 100 / buckets;
  const out: Bucket[] = Array.from({ length: buckets }, (_, i) => ({
    min: i * width,
    max: (i + 1) * width,
    count: 0,
  }));
  for (const raw of percents) {
    if (!Number.isFinite(raw)) continue;
    const p = Math.min(100, Math.max(0, raw));
    const index = Math.min(buckets - 1, Math.floor(p / width));
    const bucket = out[index];
    if (bucket) bucket.count += 1;
  }
  return out;
}

/** A quiz's score distribution as buckets. */
export function scoreBuckets(quiz: Schemas["QuizReport"]): Bucket[] {
  return quiz.distribution.map((b) => ({ min: b.min, max: b.max, count: b.count }));
}

export function hasActivity(report: CourseReport): boolean {
  return report.enrollments > 0;
}
