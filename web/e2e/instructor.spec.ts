/**
 * Journey 2, an instructor: create a course and its outline, upload a generated video through the
 * file input (straight to the signed URL) and wait until it is ready, upload captions and have
 * questions drafted from them, approve a draft into a bank, set the quiz from that bank, publish;
 * then grade a learner's essay (set up through the API) and read the course report.
 */
import { expect, test } from "@playwright/test";
import { expectAccessible, screenshot, signIn } from "./helpers";
import { allowQuestionDrafts, generateClip, submittedEssay, writeCaptions } from "./staff-fixtures";

test.use({ baseURL: process.env.LMS_E2E_BASE_URL });

const J = "instructor";

test("an instructor builds, publishes and grades", async ({ page, request }) => {
  const suffix = Date.now().toString(36);
  const courseId = `widgets-${suffix}`;
  const clip = generateClip();
  const captions = writeCaptions();
  await allowQuestionDrafts(request);
  const essay = await submittedEssay(request, suffix);

  await signIn(page, "instructor");

  // --- the course and its outline
  await page.getByRole("link", { name: "Instructor" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Courses" })).toBeVisible();
  await page.getByLabel("Title").fill("Intro to widgets");
  await page.getByLabel("Course id (optional)").fill(courseId);
  await page.getByLabel("Summary").fill("What widgets are made of, and a quiz.");
  await expectAccessible(page, "instructor courses");
  await screenshot(page, J, "01-courses");
  await page.getByRole("button", { name: "Create course" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Outline" })).toBeVisible();
  await page.getByLabel("New module title").fill("Basics");
  await page.getByRole("button", { name: "Add module" }).click();
  const module = page.getByRole("region", { name: "Module Basics" });
  await module.getByLabel("New lesson title").fill("Welcome clip");
  await module.getByLabel("Kind").last().selectOption("video");
  await module.getByRole("button", { name: "Add lesson" }).click();
  await module.getByLabel("New lesson title").fill("Widget quiz");
  await module.getByLabel("Kind").last().selectOption("quiz");
  await module.getByRole("button", { name: "Add lesson" }).click();
  // Reorder with the keyboard-reachable buttons: the quiz goes first, then back below the clip.
  await page.getByRole("button", { name: "Move Widget quiz up" }).click();
  await expect(module.getByLabel("Lesson title").first()).toHaveValue("Widget quiz");
  await page.getByRole("button", { name: "Move Widget quiz down" }).click();
  await expect(module.getByLabel("Lesson title").first()).toHaveValue("Welcome clip");
  await page.getByRole("checkbox", { name: "Welcome clip" }).check(); // the quiz requires the clip
  await expectAccessible(page, "outline editor");
  await page.getByRole("button", { name: "Save outline" }).click();
  await expect(page.getByText("Outline saved.")).toBeVisible();
  await screenshot(page, J, "02-outline");

  // --- the video: the file input, the progress bar, processing, then ready
  await page.getByRole("link", { name: "Video of Welcome clip" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome clip" })).toBeVisible();
  await page.getByLabel("Video file").setInputFiles(clip);
  const uploadRequest = page.waitForRequest((r) => r.method() === "PUT" && r.url().includes("/api/local-blobs/uploads/"));
  await page.getByRole("button", { name: "Upload video" }).click();
  const put = await uploadRequest;
  expect(new URL(put.url()).pathname).toMatch(/clip\.mp4$/); // the bytes go to the signed URL, not an API route
  await expect(page.getByText("Uploaded. The video is being processed.")).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Upload progress" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("video-status")).toContainText("Ready", { timeout: 120_000 });
  await page.getByLabel("Captions file (WebVTT)").setInputFiles(captions);
  await page.getByRole("button", { name: "Upload captions" }).click();
  await expect(page.getByText(/Captions saved \(\d+ characters of transcript\)/)).toBeVisible();
  await expectAccessible(page, "video lesson");
  await screenshot(page, J, "03-video-ready");

  // --- a bank for the quiz, and questions drafted from the captions into it
  await page.getByRole("link", { name: "Question banks" }).click();
  await page.getByLabel("Title").fill(`Widget bank ${suffix}`);
  await page.getByRole("button", { name: "Create bank" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Widget bank ${suffix}` })).toBeVisible();
  // One question by hand, of the true/false type, with a field error first (an empty prompt).
  await page.getByLabel("Type").selectOption("true_false");
  await page.getByRole("button", { name: "Add question" }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  await page.getByLabel("Question", { exact: true }).fill("A widget has a lever.");
  await page.getByRole("button", { name: "Add question" }).click();
  await expect(page.getByText("Question added.")).toBeVisible();
  await expect(page.getByText("A widget has a lever.")).toBeVisible();
  await expectAccessible(page, "question bank");
  await screenshot(page, J, "04-bank");

  await page.goto(`/instructor/courses/${courseId}/lessons/welcome-clip`);
  await page.getByLabel("How many questions at most").fill("3");
  await page.getByRole("button", { name: "Draft questions" }).click();
  await expect(page.getByText(/\d+ drafts? (is|are) waiting for review\./)).toBeVisible();
  await page.getByRole("link", { name: "Review them" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "AI drafts" })).toBeVisible();
  const firstDraft = page.getByRole("form", { name: /^Review of:/ }).first();
  await expect(firstDraft).toBeVisible();
  await expectAccessible(page, "AI draft review queue");
  await screenshot(page, J, "05-drafts");
  const before = await page.getByRole("form", { name: /^Review of:/ }).count();
  await firstDraft.getByLabel("Into the bank").selectOption({ label: `Widget bank ${suffix}` });
  await firstDraft.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.getByText("Approved: the question is in the bank.")).toBeVisible();
  await expect(page.getByRole("form", { name: /^Review of:/ })).toHaveCount(before - 1);
  // Another is turned down, with a reason.
  const second = page.getByRole("listitem").filter({ has: page.getByRole("form", { name: /^Review of:/ }) }).first();
  await second.getByRole("button", { name: "Reject…" }).click();
  await second.getByLabel("Why it is rejected").fill("Too close to the one approved.");
  await second.getByRole("button", { name: "Reject draft" }).click();
  await expect(page.getByText("Rejected.", { exact: true })).toBeVisible();
  await expect(page.getByRole("form", { name: /^Review of:/ })).toHaveCount(before - 2);

  // --- the quiz draws from the bank; publish
  await page.goto(`/instructor/courses/${courseId}/lessons/widget-quiz`);
  await expect(page.getByRole("heading", { level: 2, name: "Quiz settings" })).toBeVisible();
  await page.getByLabel("Question bank").selectOption({ label: `Widget bank ${suffix}` });
  await page.getByLabel("How many questions").fill("2");
  await page.getByLabel("Pass mark (percent)").fill("50");
  await page.getByRole("button", { name: "Save quiz settings" }).click();
  await expect(page.getByText("Quiz settings saved.")).toBeVisible();
  await expectAccessible(page, "quiz settings");
  await screenshot(page, J, "06-quiz");

  await page.getByRole("link", { name: "Completion" }).click();
  await page.getByLabel("Share of a video to watch (percent)").fill("90");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByText("A learner completes the course with 2 lessons done, watching 90% of each video.")).toBeVisible();
  await expectAccessible(page, "completion policy");

  await page.getByRole("link", { name: "Details" }).click();
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByText("Published as version 1.")).toBeVisible();
  await expect(page.locator(".course-crumb")).toContainText("Published");
  await expectAccessible(page, "course details");
  await screenshot(page, J, "07-published");
  // Publishing the unchanged draft again makes no copy: the author is told version 1 stands.
  await page.getByRole("button", { name: "Publish a new version" }).click();
  await expect(page.getByText("Nothing changed since version 1: learners already see it, and no new version was made.")).toBeVisible();
  await screenshot(page, J, "07a-publish-unchanged");

  // --- a learning path: the demo course, then this one
  await page.getByRole("link", { name: "Learning paths" }).click();
  const newPath = page.getByRole("region", { name: "New learning path" });
  await newPath.getByLabel("Title").fill(`Widget track ${suffix}`);
  await newPath.getByLabel("Course to add").selectOption({ label: "Intro to widgets" });
  await newPath.getByRole("button", { name: "Add to the path" }).click();
  await newPath.getByLabel("Course to add").selectOption({ label: "Getting started with the Demo Academy" });
  await newPath.getByRole("button", { name: "Add to the path" }).click();
  await newPath.getByRole("button", { name: "Move Getting started with the Demo Academy up" }).click();
  await newPath.getByRole("button", { name: "Create path" }).click();
  const path = page.getByRole("listitem").filter({ hasText: `Widget track ${suffix}` });
  await expect(path.getByRole("listitem")).toHaveText(["Getting started with the Demo Academy", "Intro to widgets"]);
  await path.getByRole("button", { name: "Publish path" }).click();
  await expect(path.getByText("Published", { exact: true })).toBeVisible();
  await expectAccessible(page, "learning paths");
  await screenshot(page, J, "07b-paths");

  // --- grading the essay the learner submitted
  await page.getByRole("link", { name: "Grading" }).click();
  await page.getByLabel("Course").selectOption({ label: essay.courseTitle });
  await expect(page.getByText("1 awaiting grading")).toBeVisible();
  await expectAccessible(page, "grading queue");
  await screenshot(page, J, "08-grading-queue");
  await page.getByRole("link", { name: `Grade ${essay.learnerId}` }).click();
  await expect(page.getByText("The spring stores energy, and the lever lets it go")).toBeVisible();
  await page.getByLabel("Names what the spring does").fill("4");
  await expect(page.getByText("At most 3 points.")).toBeVisible();
  await page.getByLabel("Names what the spring does").fill("3");
  await page.getByLabel("Clear and complete sentences").fill("1.5");
  await page.getByLabel("Comment for the learner").fill("Right idea; say more about the lever.");
  await expectAccessible(page, "grading an attempt");
  await page.getByRole("button", { name: "Save grades" }).click();
  await expect(page.getByText("Graded: the attempt scores 90%.")).toBeVisible();
  await screenshot(page, J, "09-graded");
  // A regrade needs a reason.
  await page.getByLabel("Clear and complete sentences").fill("2");
  await expect(page.getByRole("button", { name: "Regrade" })).toBeDisabled();
  await page.getByLabel("Reason for the change").fill("Second reading: the sentences are complete.");
  await page.getByRole("button", { name: "Regrade" }).click();
  await expect(page.getByText("Graded: the attempt scores 100%.")).toBeVisible();
  // Back in the queue: nothing waits any more; the graded attempt is listed for a regrade.
  await page.getByRole("link", { name: "Back to the grading queue" }).click();
  await expect(page.getByText("Nothing to grade.")).toBeVisible();
  await page.getByLabel("Show").selectOption({ label: "Graded (to regrade)" });
  await expect(page.getByText("1 graded")).toBeVisible();
  const gradedRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: `Grade ${essay.learnerId}` }) });
  await expect(gradedRow.getByRole("cell").last()).toHaveText("100%");
  await expectAccessible(page, "graded attempts");
  await screenshot(page, J, "09b-graded-queue");

  // --- the report of the essay course, with its charts
  await page.goto(`/instructor/courses/${essay.courseId}/report`);
  await expect(page.getByRole("heading", { level: 1, name: "Report" })).toBeVisible();
  await expect(page.getByText("Enrollment and completion")).toBeVisible();
  await expect(page.locator(".recharts-wrapper").first()).toBeVisible();
  await expect(page.getByText("Scores: Reflection essay")).toBeVisible();
  await expectAccessible(page, "course report");
  await screenshot(page, J, "10-report");
});
