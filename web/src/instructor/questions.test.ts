import { describe, expect, it } from "vitest";
import {
  emptyQuestionForm,
  nextCriterionId,
  nextOptionId,
  questionField,
  questionFieldErrors,
  questionToForm,
  questionTypeOf,
  rubricTotal,
  toQuestionBody,
  toggleCorrect,
  type QuestionForm,
} from "./questions";

function form(change: Partial<QuestionForm>): QuestionForm {
  return { ...emptyQuestionForm(), prompt: " What is 2 + 2? ", tags: "Math, , arithmetic", ...change };
}

describe("toQuestionBody", () => {
  it("sends a single choice question with its one correct option", () => {
    const f = form({
      options: [
        { id: "a", text: "3", correct: false },
        { id: "b", text: " 4 ", correct: true },
      ],
    });
    expect(toQuestionBody(f)).toEqual({
      type: "single_choice",
      prompt: "What is 2 + 2?",
      points: 1,
      difficulty: "medium",
      tags: ["math", "arithmetic"],
      explanation: null,
      options: [
        { id: "a", text: "3" },
        { id: "b", text: "4" },
      ],
      correct: ["b"],
    });
  });

  it("sends multiple choice with partial credit, true/false and short text with their own fields only", () => {
    const multi = toQuestionBody(form({ type: "multiple_choice", partialCredit: false, points: "2,5" }));
    expect(multi).toMatchObject({ type: "multiple_choice", partialCredit: false, points: 2.5, correct: ["a"] });
    const tf = toQuestionBody(form({ type: "true_false", answer: false }));
    expect(tf).toEqual({ type: "true_false", prompt: "What is 2 + 2?", points: 1, difficulty: "medium", tags: ["math", "arithmetic"], explanation: null, answer: false });
    const short = toQuestionBody(form({ type: "short_text", accepted: "four\n 4 \n\n", caseSensitive: true }));
    expect(short).toMatchObject({ type: "short_text", accepted: ["four", "4"], caseSensitive: true, normalizeWhitespace: true });
    expect(short).not.toHaveProperty("options");
  });

  it("sends an essay with its rubric and lets the server sum the points", () => {
    const essay = toQuestionBody(
      form({
        type: "essay",
        points: "99",
        rubric: [
          { id: "c1", criterion: " Argument ", points: "3" },
          { id: "c2", criterion: "Style", points: "1.5" },
        ],
      }),
    );
    expect(essay).toMatchObject({
      type: "essay",
      points: null,
      rubric: [
        { id: "c1", criterion: "Argument", points: 3 },
        { id: "c2", criterion: "Style", points: 1.5 },
      ],
    });
  });

  it("sends a number it cannot read as NaN, for the server to refuse by field", () => {
    expect(toQuestionBody(form({ points: "lots" })).points).toBeNaN();
  });
});

describe("form helpers", () => {
  it("keeps one correct option for single choice and toggles for multiple choice", () => {
    const single = toggleCorrect(form({}), "b");
    expect(single.options.map((o) => o.correct)).toEqual([false, true]);
    const multi = toggleCorrect(form({ type: "multiple_choice" }), "b");
    expect(multi.options.map((o) => o.correct)).toEqual([true, true]);
    expect(toggleCorrect(multi, "a").options.map((o) => o.correct)).toEqual([false, true]);
  });

  it("gives new options and criteria ids that are not taken", () => {
    expect(nextOptionId([{ id: "a" }, { id: "c" }])).toBe("b");
    expect(nextOptionId(Array.from({ length: 26 }, (_, i) => ({ id: String.fromCharCode(97 + i) })))).toBe("o27");
    expect(nextCriterionId([{ id: "c1" }, { id: "c3" }])).toBe("c2");
  });

  it("sums a rubric, ignoring what is not a number", () => {
    expect(rubricTotal([{ id: "c1", criterion: "", points: "0.1" }, { id: "c2", criterion: "", points: "0.2" }, { id: "c3", criterion: "", points: "x" }])).toBe(0.3);
  });

  it("fills the form from a question and back to the same body", () => {
    const view = {
      id: "q1",
      type: "multiple_choice",
      prompt: "Pick primes",
      points: 2,
      tags: ["math"],
      difficulty: "hard",
      options: [
        { id: "a", text: "2" },
        { id: "b", text: "4" },
        { id: "c", text: "5" },
      ],
      correct: ["a", "c"],
      partialCredit: true,
      version: 3,
    };
    const back = toQuestionBody(questionToForm(view));
    expect(back).toEqual({
      type: "multiple_choice",
      prompt: "Pick primes",
      points: 2,
      difficulty: "hard",
      tags: ["math"],
      explanation: null,
      options: view.options,
      correct: ["a", "c"],
      partialCredit: true,
    });
    const essay = questionToForm({ type: "essay", prompt: "Why?", rubric: [{ id: "r", criterion: "Depth", points: 4 }] });
    expect(essay.rubric).toEqual([{ id: "r", criterion: "Depth", points: "4" }]);
  });
});

describe("questionTypeOf", () => {
  it("uses a known type, else tells it from the fields only that type has", () => {
    expect(questionTypeOf({ type: "essay" })).toBe("essay");
    expect(questionTypeOf({ type: "question", rubric: [] })).toBe("essay");
    expect(questionTypeOf({ type: "question", accepted: ["x"] })).toBe("short_text");
    expect(questionTypeOf({ type: "question", answer: false })).toBe("true_false");
    expect(questionTypeOf({ type: "question", options: [], correct: [], partialCredit: true })).toBe("multiple_choice");
    expect(questionTypeOf({ type: "question", options: [], correct: [] })).toBe("single_choice");
    expect(questionToForm({ type: "question", prompt: "p", answer: false })).toMatchObject({ type: "true_false", answer: false });
  });
});

describe("question field errors", () => {
  it("maps the union's and the approve route's paths to form fields", () => {
    expect(questionField("single_choice.options.1.text")).toBe("options.1.text");
    expect(questionField("question.essay.rubric.0.points")).toBe("rubric.0.points");
    expect(questionField("prompt")).toBe("prompt");
    expect(questionFieldErrors({ "essay.rubric": "too short", "essay.prompt": "required", prompt: "dup" })).toEqual({
      rubric: "too short",
      prompt: "required",
    });
  });
});
