import { describe, expect, it } from "vitest";
import {
  changesAGrade,
  formTotal,
  gradeForms,
  gradeProblems,
  gradesBody,
  hasEssays,
  queuePage,
  rubricOf,
  type Attempt,
  type AttemptSummary,
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

function summary(id: string, essays: string[] = ["essay"]): AttemptSummary {
  return {
    id,
    courseId: "c",
    lessonId: "quiz",
    userId: `learner-${id}`,
    number: 1,
    status: "graded",
    startedAt: "2026-01-01T10:00:00+00:00",
    submittedAt: "2026-01-01T10:05:00+00:00",
    maxPoints: 6,
    essayQuestionIds: essays,
    ungradedEssayQuestionIds: [],
  };
}

/** A list of the API, `size` attempts a page, the pages chained by their index as the token. */
function pagedList(attempts: AttemptSummary[], size: number) {
  const requests: (string | undefined)[] = [];
  async function fetchPage(continuation: string | undefined) {
    requests.push(continuation);
    const from = continuation ? Number(continuation) : 0;
    const to = from + size;
    return { items: attempts.slice(from, to), continuation: to < attempts.length ? String(to) : null };
  }
  return { fetchPage, requests };
}

describe("the queue", () => {
  it("shows one page of the API as it is when every attempt has an essay", async () => {
    const list = pagedList([summary("a"), summary("b"), summary("c")], 2);
    const first = await queuePage(list.fetchPage, undefined, 2);
    expect(first).toEqual({ items: [summary("a"), summary("b")], continuation: "2" });
    const second = await queuePage(list.fetchPage, first.continuation ?? undefined, 2);
    expect(second).toEqual({ items: [summary("c")], continuation: null });
    expect(list.requests).toEqual([undefined, "2"]);
  });

  it("leaves out quizzes without essays and reads on until a page is full, in the API's order", async () => {
    const attempts = [summary("x", []), summary("a"), summary("y", []), summary("z", []), summary("b"), summary("c"), summary("d")];
    const list = pagedList(attempts, 2);
    const page = await queuePage(list.fetchPage, undefined, 2);
    expect(page.items.map((a) => a.id)).toEqual(["a", "b", "c"]);
    expect(page.continuation).toBe("6");
    expect(list.requests).toEqual([undefined, "2", "4"]);
    expect((await queuePage(list.fetchPage, page.continuation ?? undefined, 2)).items.map((a) => a.id)).toEqual(["d"]);
  });

  it("stops after its most requests and goes on from there on the next page", async () => {
    const attempts = [...Array.from({ length: 10 }, (_, n) => summary(`auto-${n}`, [])), summary("late")];
    const list = pagedList(attempts, 2);
    const page = await queuePage(list.fetchPage, undefined, 2, 3);
    expect(page).toEqual({ items: [], continuation: "6" });
    const next = await queuePage(list.fetchPage, page.continuation ?? undefined, 2, 3);
    expect(next).toEqual({ items: [summary("late")], continuation: null });
  });

  it("knows which attempts have essays", () => {
    expect(hasEssays(summary("a"))).toBe(true);
    expect(hasEssays(summary("b", []))).toBe(false);
  });
});
