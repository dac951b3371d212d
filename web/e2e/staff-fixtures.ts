/**
 * Set-up of the staff journeys through the public API (what a journey needs but does not itself
 * show in the browser): a generated video clip and captions, the tenant's AI-drafts flag, and an
 * essay quiz a learner has answered and submitted, so the grading queue has something to grade.
 */
import { expect, type APIRequestContext } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { apiToken, baseUrl } from "./helpers";
import { webRoot } from "./platform";

export const FIXTURES = join(webRoot, "test-results", "fixtures");

/** A 4-second H.264/AAC clip made with ffmpeg (as the brief's set-up says). */
export function generateClip(): string {
  mkdirSync(FIXTURES, { recursive: true });
  const path = join(FIXTURES, "clip.mp4");
  execFileSync(
    "ffmpeg",
    [
      "-y",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=320x240:rate=25",
      "-f",
      "lavfi",
      "-i",
      "sine",
      "-t",
      "4",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      path,
    ],
    { stdio: "inherit" },
  );
  return path;
}

/** WebVTT captions whose text becomes the lesson transcript the question drafts are made from. */
export function writeCaptions(): string {
  mkdirSync(FIXTURES, { recursive: true });
  const path = join(FIXTURES, "captions.vtt");
  writeFileSync(
    path,
    [
      "WEBVTT",
      "",
      "00:00:00.000 --> 00:00:02.000",
      "Widgets are small components that people put together.",
      "",
      "00:00:02.000 --> 00:00:03.000",
      "A widget has a frame, a spring and a lever.",
      "",
      "00:00:03.000 --> 00:00:04.000",
      "The spring stores energy and the lever releases it.",
      "",
    ].join("\n"),
  );
  return path;
}

async function call(
  request: APIRequestContext,
  token: string,
  method: "GET" | "POST" | "PUT" | "PATCH",
  path: string,
  data?: unknown,
): Promise<Record<string, unknown>> {
  const response = await request.fetch(`${baseUrl()}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
    ...(data === undefined ? {} : { data }),
  });
  expect(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}

/** The tenant allows AI question drafts (off by default), as its admin would set it. */
export async function allowQuestionDrafts(request: APIRequestContext): Promise<void> {
  const admin = await apiToken(request, "admin");
  await call(request, admin, "PATCH", "/api/v1/tenant", { flags: { ai_question_drafts: true }, reason: "e2e: the instructor journey drafts questions" });
}

export interface SubmittedEssay {
  courseId: string;
  courseTitle: string;
  attemptId: string;
  learnerId: string;
}

/**
 * A published course with one quiz lesson drawing one essay question (a two-criterion rubric),
 * which a learner of its own (added by the admin, so the demo learner's journey gets no
 * notification of this grade) enrolled in, answered and submitted: the attempt awaits grading.
 */
export async function submittedEssay(request: APIRequestContext, suffix: string): Promise<SubmittedEssay> {
  const instructor = await apiToken(request, "instructor");
  const courseId = `essays-${suffix}`;
  const courseTitle = `Writing about widgets ${suffix}`;
  const bank = await call(request, instructor, "POST", "/api/v1/question-banks", { title: `Essay prompts ${suffix}` });
  await call(request, instructor, "POST", `/api/v1/question-banks/${bank.id as string}/questions`, {
    type: "essay",
    prompt: "Explain in your own words why a widget needs a spring.",
    rubric: [
      { id: "idea", criterion: "Names what the spring does", points: 3 },
      { id: "clarity", criterion: "Clear and complete sentences", points: 2 },
    ],
  });
  await call(request, instructor, "POST", "/api/v1/courses", { id: courseId, title: courseTitle, summary: "An essay to grade." });
  await call(request, instructor, "PUT", `/api/v1/courses/${courseId}/outline`, {
    modules: [{ id: "m1", title: "Reflect", lessons: [{ id: "reflection", title: "Reflection essay", kind: "quiz", required: true }] }],
  });
  await call(request, instructor, "PUT", `/api/v1/courses/${courseId}/lessons/reflection/quiz`, {
    pools: [{ bankId: bank.id, count: 1 }],
    attemptsAllowed: 2,
    passMark: 50,
  });
  await call(request, instructor, "POST", `/api/v1/courses/${courseId}/publish`);

  const admin = await apiToken(request, "admin");
  const learnerId = `writer-${suffix}`;
  await call(request, admin, "POST", "/api/v1/users", {
    id: learnerId,
    email: `${learnerId}@example.com`,
    displayName: "Wren Writer",
    roles: ["Learner"],
  });
  const learner = await apiToken(request, learnerId);
  await call(request, learner, "POST", `/api/v1/courses/${courseId}/enrollments`);
  const attempt = await call(request, learner, "POST", `/api/v1/courses/${courseId}/lessons/reflection/attempts`);
  const items = attempt.items as { questionId: string }[];
  const questionId = items[0]!.questionId;
  await call(request, learner, "PUT", `/api/v1/attempts/${attempt.id as string}/answers`, {
    answers: { [questionId]: "The spring stores energy, and the lever lets it go when the widget is used." },
  });
  const submitted = await call(request, learner, "POST", `/api/v1/attempts/${attempt.id as string}/submit`);
  expect(submitted.status).toBe("awaiting_grading");
  return { courseId, courseTitle, attemptId: attempt.id as string, learnerId };
}
