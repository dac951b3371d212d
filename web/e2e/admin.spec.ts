/**
 * Journey 3, an admin: import an HRIS CSV with one bad row and see the per-row results, change the
 * branding and see it applied, read the audit log (filtered), export a user's personal data and
 * erase them with the typed confirmation, read the usage by month. Support reads, changes nothing.
 */
import { expect, test } from "@playwright/test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { apiToken, baseUrl, expectAccessible, screenshot, signIn } from "./helpers";
import { FIXTURES } from "./staff-fixtures";

test.use({ baseURL: process.env.LMS_E2E_BASE_URL });

const J = "admin";
const PURPLE = "#7b1fa2";

test.afterAll(async ({ request }) => {
  // The journeys share one platform: give the tenant its seeded branding back.
  const admin = await apiToken(request, "admin");
  await request.patch(`${baseUrl()}/api/v1/tenant`, {
    headers: { Authorization: `Bearer ${admin}` },
    data: { branding: { displayName: "Demo Academy", primaryColor: "#0b5394" }, reason: "e2e: the admin journey restores the branding" },
  });
});

test("an admin imports people, rebrands the tenant and reads the audit log", async ({ page }) => {
  const suffix = Date.now().toString(36);
  mkdirSync(FIXTURES, { recursive: true });
  const csv = join(FIXTURES, "hris.csv");
  writeFileSync(
    csv,
    [
      "email,name,course,due date",
      `ana.${suffix}@example.com,Ana Example,getting-started,2027-01-31`,
      `not-an-email-${suffix},Bo Broken,getting-started,`,
      `cy.${suffix}@example.com,"Cy, the third",getting-started,`,
    ].join("\r\n") + "\r\n",
  );

  await signIn(page, "admin");
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expectAccessible(page, "tenant settings");
  await screenshot(page, J, "01-settings");

  // --- the HRIS import: a preview, then one result per row
  await page.getByRole("link", { name: "Import" }).click();
  await page.getByLabel("CSV file").setInputFiles(csv);
  await expect(page.getByText("3 records in the file.")).toBeVisible();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Imported: 2 enrolled, 0 already enrolled, 1 with errors.")).toBeVisible();
  const results = page.getByTestId("import-results");
  // The results open on the rows that failed, each with its reason.
  await expect(results.getByRole("row")).toHaveCount(2);
  await expect(results).toContainText(`not-an-email-${suffix}`);
  await expect(results).toContainText("is not an email address");
  await expect(results).toContainText("3"); // its row number (the header is row 1)
  await page.getByLabel("Show").selectOption("all");
  await expect(results.getByRole("row")).toHaveCount(4);
  await expect(results.getByText("Enrolled")).toHaveCount(2);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the failed rows as CSV" }).click();
  const failed = readFileSync(await (await download).path(), "utf8");
  expect(failed).toContain(`not-an-email-${suffix},Bo Broken,getting-started,,`);
  await expectAccessible(page, "import results");
  await screenshot(page, J, "02-import-results");

  // --- branding: change it and see it applied to the app's header at once
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Name shown in the header").fill("Widget Academy");
  await page.getByLabel("Primary colour", { exact: true }).fill(PURPLE);
  await page.getByLabel("Reason", { exact: true }).fill("New brand for the widget programme");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved and applied.")).toBeVisible();
  await expect(page.locator(".site-header .brand-name")).toHaveText("Widget Academy");
  await expect(page.locator(".site-header")).toHaveCSS("background-color", "rgb(123, 31, 162)");
  // A field error from the server's 422, shown under its field.
  await page.getByLabel("Keep audit entries (days)").fill("5");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator(".field-invalid").getByText(/greater than or equal to 30/)).toBeVisible();
  await page.getByLabel("Keep audit entries (days)").fill("2555");
  await expectAccessible(page, "tenant settings after rebranding");
  await screenshot(page, J, "03-branding-applied");
  // It stays applied after a reload (read back from the public branding route).
  await page.reload();
  await expect(page.locator(".site-header .brand-name")).toHaveText("Widget Academy");

  // --- the audit log: the settings change, filtered by action, in words
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.getByTestId("audit-log")).toContainText("enrollment.assigned");
  await page.getByLabel("Action").fill("tenant.settings_changed");
  await page.getByRole("button", { name: "Filter" }).click();
  const log = page.getByTestId("audit-log");
  await expect(log).toContainText("branding.primaryColor");
  await expect(log).toContainText(PURPLE);
  await expect(log).toContainText("New brand for the widget programme");
  await expect(log).not.toContainText("enrollment.assigned");
  await expectAccessible(page, "audit log");
  await screenshot(page, J, "04-audit");

  // --- a user: export their personal data, then erase them (typed confirmation)
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("link", { name: "Ana Example" })).toBeVisible();
  await expectAccessible(page, "users");
  await screenshot(page, J, "05-users");
  await page.getByRole("link", { name: "Ana Example" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ana Example" })).toBeVisible();
  const exported = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download personal data" }).click();
  const archive = await exported;
  expect(archive.suggestedFilename()).toMatch(/^personal-data-.+\.json$/);
  expect(readFileSync(await archive.path(), "utf8")).toContain(`ana.${suffix}@example.com`);
  const erase = page.getByRole("button", { name: "Erase permanently" });
  await expect(erase).toBeDisabled();
  await page.getByLabel(/^Type .+ to confirm$/).fill("not the id");
  await expect(erase).toBeDisabled();
  const userId = (await page.locator("dd code").first().textContent()) ?? "";
  await page.getByLabel(/^Type .+ to confirm$/).fill(userId);
  await expectAccessible(page, "user");
  await screenshot(page, J, "06-user");
  await erase.click();
  await expect(page.getByText(`The personal data of ${userId} was erased.`)).toBeVisible();
  await expect(page.getByRole("link", { name: "Ana Example" })).toHaveCount(0);

  // --- usage by month, with its charts
  await page.getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Usage" })).toBeVisible();
  await expect(page.getByText("Learners and enrollments by month")).toBeVisible();
  await expect(page.locator(".recharts-wrapper").first()).toBeVisible();
  await expectAccessible(page, "usage");
  await screenshot(page, J, "07-usage");
});

test("support reads the admin area and changes nothing", async ({ page }) => {
  await signIn(page, "support");
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  await expect(page.getByLabel("Name shown in the header")).toBeDisabled();
  await expect(page.getByRole("link", { name: "Import" })).toHaveCount(0);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByTestId("audit-log")).toBeVisible();
  await screenshot(page, J, "08-support-audit");
  // The server refuses a change anyway.
  const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem("lms.session") ?? "{}") as { accessToken?: string }).accessToken);
  const refused = await page.request.patch(`${baseUrl()}/api/v1/tenant`, {
    headers: { Authorization: `Bearer ${token ?? ""}` },
    data: { name: "Not allowed" },
  });
  expect(refused.status()).toBe(403);
});
