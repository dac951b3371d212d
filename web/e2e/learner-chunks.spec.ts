/**
 * Journey 4: a learner's page loads fetch no chunk of the instructor or admin area. The chunks of
 * those areas are read from the build's manifest (the lazy entries and everything only they import).
 */
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expectAccessible, screenshot, signIn } from "./helpers";
import { distDir } from "./platform";

test.use({ baseURL: process.env.LMS_E2E_BASE_URL });

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

type Manifest = Record<string, ManifestChunk>;

function closure(manifest: Manifest, roots: string[], follow: (c: ManifestChunk) => string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const key = stack.pop()!;
    if (seen.has(key) || !manifest[key]) continue;
    seen.add(key);
    stack.push(...follow(manifest[key]!));
  }
  return seen;
}

/** Files that only the staff areas load: their lazy entries and what they import that the learner's code does not. */
function staffOnlyFiles(manifest: Manifest): string[] {
  const staffEntries = Object.keys(manifest).filter((k) => /src\/(instructor|admin)\//.test(k) && manifest[k]!.isDynamicEntry);
  expect(staffEntries.length, "the instructor and admin areas are lazy chunks").toBeGreaterThanOrEqual(2);
  const staff = closure(manifest, staffEntries, (c) => c.imports ?? []);
  const learnerRoots = Object.keys(manifest).filter(
    (k) => (manifest[k]!.isEntry || manifest[k]!.isDynamicEntry) && !staffEntries.includes(k),
  );
  const learner = closure(manifest, learnerRoots, (c) => [...(c.imports ?? []), ...(c.dynamicImports ?? []).filter((d) => !staffEntries.includes(d))]);
  return [...staff].filter((k) => !learner.has(k)).map((k) => manifest[k]!.file);
}

test("a learner never downloads the instructor or admin chunks", async ({ page }) => {
  const manifest = JSON.parse(readFileSync(join(distDir, ".vite", "manifest.json"), "utf8")) as Manifest;
  const forbidden = staffOnlyFiles(manifest);
  expect(forbidden.length).toBeGreaterThan(0);
  const scripts: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "script" || request.url().endsWith(".js")) scripts.push(new URL(request.url()).pathname);
  });

  await signIn(page, "learner");
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Catalog" })).toBeVisible();
  await page.goto("/courses/getting-started");
  await expect(page.getByRole("heading", { level: 1, name: "Getting started with the Demo Academy" })).toBeVisible();
  await page.goto("/my-learning");
  await expect(page.getByRole("heading", { level: 1, name: "My learning" })).toBeVisible();
  await page.goto("/notifications");
  await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  // A learner who follows a link into a staff area is told so, and still downloads nothing of it.
  await page.goto("/instructor");
  await expect(page.getByText("Your roles do not include this area.")).toBeVisible();
  await expectAccessible(page, "forbidden area");
  await screenshot(page, "chunks", "01-learner-at-instructor");
  await page.goto("/admin");
  await expect(page.getByText("Your roles do not include this area.")).toBeVisible();

  expect(scripts.length).toBeGreaterThan(0);
  const fetched = scripts.filter((s) => forbidden.some((f) => s.endsWith(`/${f}`)));
  expect(fetched, `staff chunks a learner downloaded (of ${forbidden.join(", ")})`).toEqual([]);
});
