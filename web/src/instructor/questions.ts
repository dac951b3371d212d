/**
 * The question editor's form state and the body the banks route takes (`QuestionCreate`, one of
 * five types told apart by `type`). One form value holds the fields of every type, so switching
 * the type keeps what was typed; `toQuestionBody` sends only the chosen type's fields. Pure.
 */
import type { Schemas } from "../api/client";

export const QUESTION_TYPES = ["single_choice", "multiple_choice", "true_false", "short_text", "essay"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const DIFFICULTIES = ["easy", "medium", "hard"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export type QuestionBody =
  | Schemas["SingleChoice"]
  | Schemas["MultipleChoice"]
  | Schemas["TrueFalse"]
  | Schemas["ShortText"]
  | Schemas["Essay"];

export interface OptionForm {
  id: string;
  text: string;
  correct: boolean;
}

export interface CriterionForm {
  id: string;
  criterion: string;
  points: string;
}

export interface QuestionForm {
  type: QuestionType;
  prompt: string;
  points: string;
  difficulty: Difficulty;
  tags: string;
  explanation: string;
  options: OptionForm[];
  partialCredit: boolean;
  answer: boolean;
  accepted: string;
  caseSensitive: boolean;
  normalizeWhitespace: boolean;
  rubric: CriterionForm[];
}

export function emptyQuestionForm(type: QuestionType = "single_choice"): QuestionForm {
  return {
    type,
    prompt: "",
    points: "1",
    difficulty: "medium",
    tags: "",
    explanation: "",
    options: [
      { id: "a", text: "", correct: true },
      { id: "b", text: "", correct: false },
    ],
    partialCredit: true,
    answer: true,
    accepted: "",
    caseSensitive: false,
    normalizeWhitespace: true,
    rubric: [{ id: "c1", criterion: "", points: "1" }],
  };
}

/** The next option id: a, b, c, ... then o27, o28 (ids stay stable when options are removed). */
export function nextOptionId(options: readonly { id: string }[]): string {
  const taken = new Set(options.map((o) => o.id));
  for (let i = 0; i < 26; i++) {
    const id = String.fromCharCode(97 + i);
    if (!taken.has(id)) return id;
  }
  for (let n = 27; ; n++) if (!taken.has(`o${n}`)) return `o${n}`;
}

export function nextCriterionId(rubric: readonly { id: string }[]): string {
  const taken = new Set(rubric.map((c) => c.id));
  for (let n = 1; ; n++) if (!taken.has(`c${n}`)) return `c${n}`;
}

/** A choice question may have one correct option (single choice) or several. */
export function toggleCorrect(form: QuestionForm, optionId: string): QuestionForm {
  const single = form.type === "single_choice";
  return {
    ...form,
    options: form.options.map((o) =>
      o.id === optionId ? { ...o, correct: single ? true : !o.correct } : single ? { ...o, correct: false } : o,
    ),
  };
}

function splitList(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

function number(text: string): number {
  const value = Number(text.trim().replace(",", "."));
  return Number.isFinite(value) ? value : Number.NaN;
}

/** The rubric's total, the points an essay is worth. */
export function rubricTotal(rubric: readonly CriterionForm[]): number {
  return Math.round(rubric.reduce((sum, c) => sum + (Number.isFinite(number(c.points)) ? number(c.points) : 0), 0) * 1e6) / 1e6;
}

/** The body for the banks route; the server validates it again and names each wrong field. */
export function toQuestionBody(form: QuestionForm): QuestionBody {
  const common = {
    prompt: form.prompt.trim(),
    points: number(form.points),
    difficulty: form.difficulty,
    tags: splitList(form.tags.toLowerCase(), /,/),
    explanation: form.explanation.trim() ? form.explanation.trim() : null,
  };
  switch (form.type) {
    case "single_choice":
    case "multiple_choice": {
      const options = form.options.map((o) => ({ id: o.id, text: o.text.trim() }));
      const correct = form.options.filter((o) => o.correct).map((o) => o.id);
      return form.type === "single_choice"
        ? { type: "single_choice", ...common, options, correct }
        : { type: "multiple_choice", ...common, options, correct, partialCredit: form.partialCredit };
    }
    case "true_false":
      return { type: "true_false", ...common, answer: form.answer };
    case "short_text":
      return {
        type: "short_text",
        ...common,
        accepted: splitList(form.accepted, /\n/),
        caseSensitive: form.caseSensitive,
        normalizeWhitespace: form.normalizeWhitespace,
      };
    case "essay": {
      const { points: _points, ...rest } = common;
      return {
        type: "essay",
        ...rest,
        points: null,
        rubric: form.rubric.map((c) => ({ id: c.id, criterion: c.criterion.trim(), points: number(c.points) })),
      };
    }
  }
}

function text(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

/**
 * The question's type. The banks route answers `type: "question"` (its stored document's kind wins
 * over the question's own type, shared/assessment/banks.py `_question_view`), so when `type` is not
 * one of the five it is told from the fields only that type has (null fields are left out).
 */
export function questionTypeOf(question: Record<string, unknown>): QuestionType {
  const named = QUESTION_TYPES.find((t) => t === question.type);
  if (named) return named;
  if (Array.isArray(question.rubric)) return "essay";
  if (Array.isArray(question.accepted)) return "short_text";
  if (typeof question.answer === "boolean") return "true_false";
  if (typeof question.partialCredit === "boolean") return "multiple_choice";
  return "single_choice";
}

/** A form filled with a question as staff see it (`QuestionView`) or as a draft proposes it. */
export function questionToForm(question: Record<string, unknown>): QuestionForm {
  const type = questionTypeOf(question);
  const base = emptyQuestionForm(type);
  const correct = new Set(Array.isArray(question.correct) ? question.correct.map(String) : []);
  const options = Array.isArray(question.options)
    ? question.options.map((o: Record<string, unknown>) => ({ id: text(o.id), text: text(o.text), correct: correct.has(text(o.id)) }))
    : base.options;
  const rubric = Array.isArray(question.rubric)
    ? question.rubric.map((c: Record<string, unknown>) => ({
        id: text(c.id),
        criterion: text(c.criterion),
        points: String(typeof c.points === "number" ? c.points : ""),
      }))
    : base.rubric;
  return {
    ...base,
    prompt: text(question.prompt),
    points: typeof question.points === "number" ? String(question.points) : base.points,
    difficulty: DIFFICULTIES.find((d) => d === question.difficulty) ?? "medium",
    tags: Array.isArray(question.tags) ? question.tags.join(", ") : "",
    explanation: text(question.explanation),
    options,
    partialCredit: question.partialCredit !== false,
    answer: question.answer !== false,
    accepted: Array.isArray(question.accepted) ? question.accepted.join("\n") : "",
    caseSensitive: question.caseSensitive === true,
    normalizeWhitespace: question.normalizeWhitespace !== false,
    rubric,
  };
}

/**
 * A 422's field path of a question body ("single_choice.options.1.text", or for the approve route
 * "question.essay.rubric.0.points") as the form's field name ("options.1.text").
 */
export function questionField(location: string): string {
  const parts = location.split(".");
  if (parts[0] === "question") parts.shift();
  if (QUESTION_TYPES.some((t) => t === parts[0])) parts.shift();
  return parts.join(".");
}

/** Field errors of a question form, by form field, from the problem's field errors. */
export function questionFieldErrors(fieldErrors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [location, message] of Object.entries(fieldErrors)) {
    const key = questionField(location);
    if (!(key in out)) out[key] = message;
  }
  return out;
}
