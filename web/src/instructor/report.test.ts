import { describe, expect, it } from "vitest";
import { funnel, lessonRows, progressHistogram, type CourseReport } from "./report";

const report: CourseReport = {
  courseId: "c",
  title: "C",
  version: 2,
  enrollments: 10,
  completed: 3,
  completionRate: 30,
  averageProgress: 41.5,
  notStarted: 4,
  totalActiveSeconds: 3600,
  averageActiveSeconds: 360,
  lessons: [
    { lessonId: "a", title: "Intro", kind: "video", started: 6, completed: 5, stoppedHere: 1, activeSeconds: 600, averageActiveSeconds: 100 },
    { lessonId: "gone", title: null, kind: null, started: 1, completed: 0, stoppedHere: 1, activeSeconds: 30, averageActiveSeconds: 30 },
  ],
  quizzes: [],
  updatedAt: null,
};

describe("course report series", () => {
  it("makes the funnel of enrolled, started and completed learners", () => {
    expect(funnel(report)).toEqual([
      { step: "enrolled", learners: 10 },
      { step: "started", learners: 6 },
      { step: "completed", learners: 3 },
    ]);
  });

  it("labels lessons by title, or by id when the outline no longer has them, with minutes on task", () => {
    expect(lessonRows(report).map((r) => [r.label, r.averageMinutes, r.stoppedHere])).toEqual([
      ["Intro", 1.7, 1],
      ["gone", 0.5, 1],
    ]);
  });

  it("bins progress into equal buckets, 100 in the last, out of range clamped", () => {
    const bins = progressHistogram([0, 19.9, 20, 55, 100, 100, 140, -5, Number.NaN]);
    expect(bins.map((b) => b.count)).toEqual([3, 1, 1, 0, 3]);
    expect(bins.map((b) => [b.min, b.max])).toEqual([
      [0, 20],
      [20, 40],
      [40, 60],
      [60, 80],
      [80, 100],
    ]);
  });
});
