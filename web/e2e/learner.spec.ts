/**
 * Journey 1, the learner: sign in, search, enroll, play the seeded video (currentTime advances; once
 * the batch is flushed the progress route shows the watched interval), read the text lesson, pass
 * the quiz, receive the notifications through the stream without a reload, see the certificate,
 * and open its public verification page.
 */
import { expect, test, type Page } from "@playwright/test";
import { apiToken, baseUrl, expectAccessible, screenshot, signIn } from "./helpers";

test.use({ baseURL: process.env.LMS_E2E_BASE_URL });

const COURSE = "getting-started";
const J = "learner";

interface Question {
  prompt: string;
  options?: { id: string; text: string }[] | null;
  correct?: string[] | null;
  answer?: boolean | null;
  accepted?: string[] | null;
}

/** The check-in quiz's questions with their keys, as the instructor sees them in the bank. */
async function answerKeys(page: Page): Promise<Map<string, Question>> {
  const token = await apiToken(page.request, "instructor");
  const headers = { Authorization: `Bearer ${token}` };
  const banks = (await (await page.request.get(`${baseUrl()}/api/v1/question-banks?limit=200`, { headers })).json()) as {
    items: { id: string; title: string }[];
  };
  const bank = banks.items.find((b) => b.title.startsWith("Getting started"));
  expect(bank, "the seeded check-in bank").toBeTruthy();
  const questions = (await (
    await page.request.get(`${baseUrl()}/api/v1/question-banks/${bank!.id}/questions?limit=200`, { headers })
  ).json()) as { items: Question[] };
  return new Map(questions.items.map((q) => [q.prompt, q]));
}

/** A published course that requires the demo course first (made by the instructor through the API). */
async function publishCourseRequiringDemo(page: Page): Promise<string> {
  const id = "advanced-practice";
  const headers = { Authorization: `Bearer ${await apiToken(page.request, "instructor")}` };
  const created = await page.request.post(`${baseUrl()}/api/v1/courses`, {
    headers,
    data: { id, title: "Advanced practice", summary: "For learners who finished the introduction.", prerequisites: [COURSE] },
  });
  expect(created.status()).toBe(201);
  const outline = await page.request.put(`${baseUrl()}/api/v1/courses/${id}/outline`, {
    headers,
    data: { modules: [{ id: "m1", title: "Practice", lessons: [{ id: "p1", title: "Practice notes", kind: "text", text: "Practice." }] }] },
  });
  expect(outline.ok()).toBe(true);
  const published = await page.request.post(`${baseUrl()}/api/v1/courses/${id}/publish`, { headers });
  expect(published.ok()).toBe(true);
  return id;
}

async function learnerProgress(page: Page) {
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem("lms.session") ?? "{}").accessToken as string);
  const response = await page.request.get(`${baseUrl()}/api/v1/me/courses/${COURSE}/progress`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.ok()).toBe(true);
  return (await response.json()) as { state: string; lessons: { lessonId: string; state: string; percent: number; activeSeconds: number }[] };
}

test("a learner finds, takes and completes the demo course", async ({ page, browser }) => {
  const progressPosts: string[] = [];
  const streamRequests: string[] = [];
  const foreignScripts: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.resourceType() === "script" && url.origin !== new URL(baseUrl()).origin) foreignScripts.push(url.href);
    if (url.pathname === "/api/v1/progress" && request.method() === "POST") progressPosts.push(request.postData() ?? "");
    if (url.pathname === "/api/v1/me/notifications/stream") streamRequests.push(url.search);
  });

  // Sign in.
  await page.goto("/sign-in");
  await expect(page.getByLabel("User")).toBeVisible();
  await expectAccessible(page, "sign-in");
  await screenshot(page, J, "01-sign-in");
  await signIn(page, "learner");
  // The tenant's branding is applied (the seed's colours), and no tracker loads: the demo tenant allows none.
  await expect
    .poll(() => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--brand-primary").trim()))
    .toBe("#0b5394");
  await expect(page.locator(".brand-name")).toHaveText("Demo Academy");
  expect(await page.locator("script[data-tracker]").count()).toBe(0);

  // A course that needs the demo course first: the blocked enroll names the missing course.
  const advanced = await publishCourseRequiringDemo(page);
  await page.goto(`/courses/${advanced}`);
  await expect(page.getByRole("heading", { level: 1, name: "Advanced practice" })).toBeVisible();
  await page.getByRole("button", { name: "Enroll" }).click();
  const blocked = page.getByRole("alert").filter({ hasText: "You cannot enroll yet." });
  await expect(blocked.getByRole("link", { name: "Getting started with the Demo Academy" })).toBeVisible();
  await expectAccessible(page, "blocked enroll");
  await screenshot(page, J, "02a-enroll-blocked");
  await page.getByRole("link", { name: "Catalog" }).click();
  // A marker that survives only as long as the page is not reloaded.
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  // A malformed filter is refused by the API (422); its message is shown under the field.
  await page.getByRole("textbox", { name: "Language code" }).fill("english");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.locator(".field-invalid .field-error")).toBeVisible();
  await expectAccessible(page, "catalog with a field error");
  await screenshot(page, J, "02b-catalog-field-error");
  await page.getByRole("textbox", { name: "Language code" }).fill("");

  // Search the catalog.
  await page.getByRole("searchbox", { name: "Search courses" }).fill("getting started");
  await page.getByRole("button", { name: "Search" }).click();
  const hit = page.getByRole("link", { name: /Getting started with the Demo Academy/ });
  await expect(hit).toBeVisible();
  await expectAccessible(page, "catalog");
  await screenshot(page, J, "02-catalog-search");

  // The course page; enroll.
  await hit.click();
  await expect(page.getByRole("heading", { level: 1, name: "Getting started with the Demo Academy" })).toBeVisible();
  await expectAccessible(page, "course");
  await screenshot(page, J, "03-course");
  await page.getByRole("button", { name: "Enroll" }).click();
  await expect(page.getByText("You are enrolled in this course.")).toBeVisible();
  await screenshot(page, J, "04-enrolled");

  // The video lesson: play a few seconds, then to the end.
  // The ladder is AES-128 encrypted: hls.js fetches the key from the API's key route (per learner,
  // no-store), and the segments from the blob origin with one URL for every viewer.
  const keyResponse = page.waitForResponse((r) => r.url().includes("/api/v1/media/keys/"));
  const segmentResponse = page.waitForResponse((r) => /\/enc_\d+\.ts\?/.test(r.url()));
  await page.getByRole("link", { name: "Start with Welcome video" }).click();
  const video = page.getByTestId("lesson-video");
  await expect(video).toBeVisible();
  await video.evaluate(async (el: HTMLVideoElement) => {
    el.muted = true;
    await el.play();
  });
  await expect.poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime), { timeout: 30_000 }).toBeGreaterThan(2);
  const key = await keyResponse;
  expect(key.status()).toBe(200);
  expect((await key.body()).length).toBe(16);
  expect(key.headers()["cache-control"]).toBe("private, no-store");
  const segment = await segmentResponse;
  expect(segment.headers()["cache-control"]).toContain("immutable");
  await expectAccessible(page, "video lesson");
  await screenshot(page, J, "05-video-playing");
  // Pausing flushes the batch; the progress route then shows the watched interval.
  await video.evaluate((el: HTMLVideoElement) => el.pause());
  const watchedAtPause = await video.evaluate((el: HTMLVideoElement) => el.currentTime);
  await expect
    .poll(async () => (await learnerProgress(page)).lessons.find((l) => l.lessonId === "welcome")?.percent ?? 0, { timeout: 20_000 })
    .toBeGreaterThan(0);
  const welcome = (await learnerProgress(page)).lessons.find((l) => l.lessonId === "welcome")!;
  // The lesson's percent is the merged watched seconds over its 8-second duration.
  expect(welcome.percent).toBeGreaterThanOrEqual(Math.floor(((watchedAtPause - 1) / 8) * 100));
  expect(welcome.activeSeconds).toBeGreaterThan(0);
  // A few seconds of playback made one batch, not one request per second.
  expect(progressPosts.length).toBeLessThanOrEqual(2);
  const firstBatch = JSON.parse(progressPosts[0] ?? "{}") as { batchId: string; events: { type: string; from: number; to: number }[] };
  expect(firstBatch.events[0]).toMatchObject({ type: "watch", from: 0 });
  // Play to the end: the lesson is completed.
  await video.evaluate(async (el: HTMLVideoElement) => {
    await el.play();
    await new Promise<void>((resolve) => el.addEventListener("ended", () => resolve(), { once: true }));
  });
  await expect(page.getByTestId("lesson-state")).toHaveText(/Completed/, { timeout: 20_000 });
  const batchIds = progressPosts.map((p) => (JSON.parse(p) as { batchId: string }).batchId);
  expect(new Set(batchIds).size).toBe(batchIds.length);

  // The text lesson.
  await page.getByRole("link", { name: /The learner handbook/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "The learner handbook" })).toBeVisible();
  await expectAccessible(page, "text lesson");
  await page.getByRole("button", { name: "Mark as read" }).click();
  await expect(page.getByText("Marked as read.")).toBeVisible();
  await expect(page.getByTestId("lesson-state")).toHaveText(/Completed/);
  await screenshot(page, J, "06-text-read");

  // The quiz: start, answer from the bank's keys, submit, passed.
  const keys = await answerKeys(page);
  await page.getByRole("link", { name: /Check-in quiz/ }).click();
  await page.getByRole("button", { name: "Start the quiz" }).click();
  await expect(page.getByTestId("countdown")).toHaveText(/Time left: \d+:\d\d/);
  const unreadBefore = await page.getByTestId("unread-badge").count();
  for (const fieldset of await page.locator("fieldset.question").all()) {
    const legend = (await fieldset.locator("legend").innerText()).replace(/^Question \d+\.\s*/, "").replace(/\s*\([^)]*points?\)\s*$/, "");
    const question = keys.get(legend.trim());
    expect(question, `a key for "${legend}"`).toBeTruthy();
    // The key tells the kind: options with correct ids, a true/false answer, or accepted texts.
    if (question!.correct && question!.options) {
      for (const id of question!.correct) {
        await fieldset.getByLabel(question!.options.find((o) => o.id === id)!.text).check();
      }
    } else if (typeof question!.answer === "boolean") {
      await fieldset.getByLabel(question!.answer ? "True" : "False").check();
    } else {
      await fieldset.getByLabel("Your answer").fill(question!.accepted?.[0] ?? "");
    }
  }
  await expect(page.getByText("All answers saved.")).toBeVisible();
  await expectAccessible(page, "quiz");
  await screenshot(page, J, "07-quiz-answered");
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByRole("heading", { name: "Passed" })).toBeVisible();

  // The quiz grade and the certificate arrive as notifications through the stream, without a reload;
  // the grade counted, the quiz lesson shows completed.
  expect(unreadBefore).toBe(0);
  await expect(page.getByTestId("unread-badge")).toHaveText(/[1-9]/, { timeout: 60_000 });
  await expect(page.getByTestId("lesson-state")).toHaveText(/Completed/, { timeout: 20_000 });
  await screenshot(page, J, "08-quiz-passed");
  await page.getByRole("link", { name: /Notifications/ }).click();
  await expect(page.getByRole("heading", { level: 2, name: /certificate/i }).first()).toBeVisible({ timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  expect(streamRequests.length).toBeGreaterThan(0);
  expect(streamRequests[0]).toContain("ticket=");
  await expectAccessible(page, "notifications");
  await screenshot(page, J, "09-notifications");

  // My learning: the completed course and its certificate.
  await page.getByRole("link", { name: "My learning" }).click();
  await expect(page.getByRole("heading", { level: 3, name: "Getting started with the Demo Academy" }).first()).toBeVisible();
  const link = page.getByLabel("Public verification link");
  await expect(link).toBeVisible();
  await expectAccessible(page, "my learning");
  await screenshot(page, J, "10-my-learning");
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download PDF" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);
  const verificationUrl = await link.inputValue();
  expect(verificationUrl).toMatch(/\/verify\/[A-Za-z0-9_-]+$/);

  expect(foreignScripts, "third-party scripts").toEqual([]);

  // The public verification page, in a fresh browser context: no sign-in.
  const visitor = await browser.newContext();
  const publicPage = await visitor.newPage();
  await publicPage.goto(verificationUrl);
  await expect(publicPage.getByTestId("verification-status")).toHaveText("This certificate is genuine and valid.");
  await expect(publicPage.getByText("Lea Learner")).toBeVisible();
  await expectAccessible(publicPage, "verification");
  await screenshot(publicPage, J, "11-verification");
  await visitor.close();
});
