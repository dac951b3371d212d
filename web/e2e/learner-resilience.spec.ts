/**
 * The learner's player and quiz when things go wrong: a progress batch that fails on the network is
 * sent again with the same id, a page left while playing still delivers its batch (keepalive), the
 * video resumes where it stopped, and a quiz whose time runs out says it was graded as saved.
 * A second learner (made by the admin through the API) keeps journey 1's learner untouched.
 */
import { expect, test, type Page } from "@playwright/test";
import { apiToken, baseUrl, expectAccessible, screenshot } from "./helpers";

test.use({ baseURL: process.env.LMS_E2E_BASE_URL });
test.describe.configure({ mode: "serial" });

const USER = "lena";
const J = "resilience";

async function ensureLearner(page: Page): Promise<void> {
  const headers = { Authorization: `Bearer ${await apiToken(page.request, "admin")}` };
  const response = await page.request.post(`${baseUrl()}/api/v1/users`, {
    headers,
    data: { id: USER, email: "lena@demo.example.com", displayName: "Lena Second", roles: ["Learner"] },
  });
  expect([201, 409]).toContain(response.status());
}

/** Signs in with the keyboard only: the user list, Tab to the button, Enter. */
async function signInByKeyboard(page: Page): Promise<void> {
  await page.goto("/sign-in");
  const select = page.getByLabel("User");
  await select.focus();
  await select.selectOption(`demo/${USER}`);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByText("Signed in as Lena Second")).toBeVisible();
}

async function welcomeProgress(page: Page): Promise<number> {
  const token = await apiToken(page.request, USER);
  const response = await page.request.get(`${baseUrl()}/api/v1/me/courses/getting-started/progress`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok()) return 0;
  const body = (await response.json()) as { lessons: { lessonId: string; percent: number }[] };
  return body.lessons.find((l) => l.lessonId === "welcome")?.percent ?? 0;
}

test("progress survives a network failure and a page left while playing; the video resumes", async ({ page }) => {
  await ensureLearner(page);
  await signInByKeyboard(page);
  await page.goto("/courses/getting-started");
  await page.getByRole("button", { name: "Enroll" }).click();
  await page.getByRole("link", { name: "Start with Welcome video" }).click();

  // The first progress request fails as if the network were gone; later ones pass.
  const sent: { batchId: string; aborted: boolean }[] = [];
  await page.route("**/api/v1/progress", async (route) => {
    const batchId = (JSON.parse(route.request().postData() ?? "{}") as { batchId: string }).batchId;
    const aborted = sent.length === 0;
    sent.push({ batchId, aborted });
    if (aborted) await route.abort("internetdisconnected");
    else await route.continue();
  });

  const video = page.getByTestId("lesson-video");
  await expect(video).toBeVisible();
  await video.evaluate(async (el: HTMLVideoElement) => {
    el.muted = true;
    await el.play();
  });
  await expect.poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime)).toBeGreaterThan(2);
  await video.evaluate((el: HTMLVideoElement) => el.pause());
  // The pause sent a batch that failed; the retry (a few seconds later) carries the same id.
  await expect.poll(() => sent.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  expect(sent[0]?.aborted).toBe(true);
  expect(sent[1]?.batchId).toBe(sent[0]?.batchId);
  await expect.poll(() => welcomeProgress(page)).toBeGreaterThan(0);
  const beforeLeaving = await welcomeProgress(page);

  // Play on, then leave the page while playing: the pagehide flush (keepalive) still arrives.
  await video.evaluate(async (el: HTMLVideoElement) => {
    await el.play();
  });
  const start = await video.evaluate((el: HTMLVideoElement) => el.currentTime);
  await expect.poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime)).toBeGreaterThan(start + 1.5);
  const leftAt = await video.evaluate((el: HTMLVideoElement) => el.currentTime);
  await page.goto("/my-learning");
  await expect.poll(() => welcomeProgress(page), { timeout: 20_000 }).toBeGreaterThan(beforeLeaving);
  const ids = sent.map((s) => s.batchId);
  expect(new Set(ids).size).toBe(ids.length - 1); // only the retried batch repeats its id

  // Back at the lesson: it resumes where playback stopped.
  await page.goto("/courses/getting-started/lessons/welcome");
  await expect(page.getByText(/Resumed at 0:0\d\./)).toBeVisible();
  await expect
    .poll(() => page.getByTestId("lesson-video").evaluate((el: HTMLVideoElement) => el.currentTime))
    .toBeGreaterThanOrEqual(Math.floor(leftAt) - 2);
  await screenshot(page, J, "01-video-resumed");
});

test("a quiz whose time runs out is graded with the answers saved by then", async ({ page }) => {
  test.setTimeout(120_000);
  // A course with a 30-second quiz (the shortest the API allows) drawing one seeded question.
  const headers = { Authorization: `Bearer ${await apiToken(page.request, "instructor")}` };
  const course = "timed-check";
  const banks = (await (await page.request.get(`${baseUrl()}/api/v1/question-banks?limit=200`, { headers })).json()) as {
    items: { id: string }[];
  };
  const bankId = banks.items[0]!.id;
  expect((await page.request.post(`${baseUrl()}/api/v1/courses`, { headers, data: { id: course, title: "Timed check", summary: "A quick timed question." } })).status()).toBe(201);
  const outline = { modules: [{ id: "m1", title: "Check", lessons: [{ id: "q1", title: "Timed question", kind: "quiz" }] }] };
  expect((await page.request.put(`${baseUrl()}/api/v1/courses/${course}/outline`, { headers, data: outline })).ok()).toBe(true);
  const quiz = { pools: [{ bankId, count: 1 }], timeLimitSeconds: 30, attemptsAllowed: 1, passMark: 50 };
  expect((await page.request.put(`${baseUrl()}/api/v1/courses/${course}/lessons/q1/quiz`, { headers, data: quiz })).ok()).toBe(true);
  expect((await page.request.post(`${baseUrl()}/api/v1/courses/${course}/publish`, { headers })).ok()).toBe(true);

  await ensureLearner(page);
  await signInByKeyboard(page);
  await page.goto(`/courses/${course}`);
  await page.getByRole("button", { name: "Enroll" }).click();
  await page.getByRole("link", { name: "Start with Timed question" }).click();
  await page.getByRole("button", { name: "Start the quiz" }).click();
  const countdown = page.getByTestId("countdown");
  await expect(countdown).toHaveText(/Time left: 0:(30|29|28|27)/);
  // Answer something (saved at once), then let the time run out.
  const question = page.locator("fieldset.question").first();
  const firstChoice = question.locator("input").first();
  if ((await firstChoice.getAttribute("type")) === "text") await firstChoice.fill("an answer");
  else await firstChoice.check();
  await expect(page.getByText("All answers saved.")).toBeVisible();
  await expectAccessible(page, "timed quiz");
  await screenshot(page, J, "02-timed-quiz");
  await expect(page.getByText("The time ran out: the attempt was graded with the answers saved by then.")).toBeVisible({
    timeout: 60_000,
  });
  await screenshot(page, J, "03-quiz-expired");
});
