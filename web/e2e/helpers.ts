import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { webRoot } from "./platform";

export const SCREENSHOTS = join(webRoot, "test-results", "screenshots");

export function baseUrl(): string {
  const base = process.env.LMS_E2E_BASE_URL;
  if (!base) throw new Error("LMS_E2E_BASE_URL is not set (the global setup starts the platform)");
  return base;
}

/** Saves a full-page PNG of the current screen as test-results/screenshots/<journey>-<name>.png. */
export async function screenshot(page: Page, journey: string, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${journey}-${name}.png`), fullPage: true });
}

/** axe-core on the current screen: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `accessibility violations on ${screen}`).toEqual([]);
}

/** Signs in through the dev sign-in screen as a demo user. */
export async function signIn(page: Page, userId: string): Promise<void> {
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("User").selectOption(`demo/${userId}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(/Signed in as/)).toBeVisible();
}

/** A dev token for API checks the journeys make beside the browser. */
export async function apiToken(request: APIRequestContext, userId: string): Promise<string> {
  const response = await request.post(`${baseUrl()}/api/v1/dev/sign-in`, { data: { tenantId: "demo", userId } });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { accessToken: string }).accessToken;
}
