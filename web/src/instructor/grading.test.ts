import { describe, expect, it } from "vitest";
import {
  attemptId,
  changesAGrade,
  findAttempts,
  formTotal,
  gradeForms,
  gradeProblems,
  gradesBody,
  rubricOf,
  sortQueue,
  withEssays,
  type Attempt,
} from "./grading";

const rubric = [
  { id: "arg", criterion: "Argument", points: 3 },
  { id: "style", criterion: "Style", points: 2 },
];

function attempt(change: Partial<Attempt> = {}): Attempt {
  return {
    id: "att1",
    courseId: "c",
    lessonId: "quiz",
    userId: "learner",
    number: 1,
    attemptsAllowed: 2,
    status: "awaiting_grading",
    startedAt: "2026-01-01T10:00:00+00:00",
    submittedAt: "2026-01-01T10:05:00+00:00",
    items: [
      { questionId: "mc", version: 1, type: "single_choice", prompt: "p", points: 1, key: { correct: ["a"] } },
      { questionId: "essay", version: 1, type: "essay", prompt: "Why?", points: 5, key: { rubric } },
    ],
    answers: { essay: "Because." },
    ...change,
  } as Attempt;
}

describe("attemptId", () => {
  it("is the server's deterministic id of a learner's n-th attempt", async () => {
    // hashlib.sha256(b"demo|learner|getting-started|check-in|1").hexdigest()[:32]
    expect(await attemptId("demo", "learner", "getting-started", "check-in", 1)).toBe("45269d92a592c9a1369c10236eadaa3c");
  });
});

describe("rubric forms", () => {
  it("reads the rubric from the staff key and starts with empty points", () => {
    const a = attempt();
    expect(rubricOf(a.items[1]!)).toEqual(rubric);
    expect(gradeForms(a)).toEqual({ essay: { criteria: { arg: "", style: "" }, comment: "" } });
  });

  it("says which criteria are missing, not numbers or out of range", () => {
    const a = attempt();
    const problems = gradeProblems(a, { essay: { criteria: { arg: "4", style: "" }, comment: "" } });
    expect(problems.map((p) => [p.criterionId, p.problem])).toEqual([
      ["arg", "overMax"],
      ["style", "missing"],
    ]);
    expect(gradeProblems(a, { essay: { criteria: { arg: "x", style: "-1" }, comment: "" } }).map((p) => p.problem)).toEqual([
      "notANumber",
      "negative",
    ]);
    expect(gradeProblems(a, { essay: { criteria: { arg: "2,5", style: "2" }, comment: "" } })).toEqual([]);
    expect(formTotal({ criteria: { arg: "2,5", style: "2" }, comment: "" })).toBe(4.5);
  });

  it("builds the grades body of the complete forms, with a reason only when one is typed", () => {
    const a = attempt();
    expect(gradesBody(a, { essay: { criteria: { arg: "3", style: "1.5" }, comment: " Good " } }, " ")).toEqual({
      grades: [{ questionId: "essay", criteria: [{ criterionId: "arg", points: 3 }, { criterionId: "style", points: 1.5 }], comment: "Good" }],
      reason: null,
    });
    expect(gradesBody(a, { essay: { criteria: { arg: "3", style: "" }, comment: "" } }, "x").grades).toEqual([]);
  });

  it("knows when a form changes a grade already given (a regrade needs a reason)", () => {
    const graded = attempt({
      status: "graded",
      items: [
        { questionId: "essay", version: 1, type: "essay", prompt: "Why?", points: 5, key: { rubric }, grade: { criteria: { arg: 2, style: 2 }, points: 4, comment: null } },
      ],
    });
    const forms = gradeForms(graded);
    expect(forms.essay).toEqual({ criteria: { arg: "2", style: "2" }, comment: "" });
    expect(changesAGrade(graded, forms)).toBe(false);
    expect(changesAGrade(graded, { essay: { criteria: { arg: "3", style: "2" }, comment: "" } })).toBe(true);
    expect(changesAGrade(graded, { essay: { criteria: { arg: "2", style: "2" }, comment: "More" } })).toBe(true);
    expect(changesAGrade(attempt(), { essay: { criteria: { arg: "3", style: "2" }, comment: "" } })).toBe(false);
  });
});

describe("the queue", () => {
  it("reads each learner's attempts in order until one does not exist", async () => {
    const existing = new Map<string, Attempt>();
    for (const [user, n, status] of [
      ["ana", 1, "graded"],
      ["ana", 2, "awaiting_grading"],
      ["bo", 1, "open"],
    ] as const) {
      const id = await attemptId("t", user, "c", "quiz", n);
      existing.set(id, attempt({ id, userId: user, number: n, status, submittedAt: `2026-01-0${n}T00:00:00+00:00` }));
    }
    const reads: string[] = [];
    const found = await findAttempts(
      { tenantId: "t", courseId: "c", quizLessons: ["quiz"], learners: ["ana", "bo", "cy"], maxAttempts: 3 },
      async (id) => {
        reads.push(id);
        return existing.get(id) ?? null;
      },
    );
    expect(found.map((a) => [a.userId, a.number, a.status])).toEqual([
      ["ana", 2, "awaiting_grading"],
      ["ana", 1, "graded"],
      ["bo", 1, "open"],
    ]);
    // ana: 1, 2, 3 (missing); bo: 1, 2 (missing); cy: 1 (missing)
    expect(reads).toHaveLength(6);
    expect(withEssays(found).map((a) => a.status)).toEqual(["awaiting_grading", "graded"]);
  });

  it("puts the oldest submission awaiting grading first", () => {
    const sorted = sortQueue([
      attempt({ id: "g", status: "graded", submittedAt: "2026-01-01T00:00:00+00:00" }),
      attempt({ id: "new", submittedAt: "2026-01-03T00:00:00+00:00" }),
      attempt({ id: "old", submittedAt: "2026-01-02T00:00:00+00:00" }),
    ]);
    expect(sorted.map((a) => a.id)).toEqual(["old", "new", "g"]);
  });
});
