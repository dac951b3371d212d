// Fails when src/api/schema.d.ts is not what openapi-typescript generates from src/api/openapi.json
// (the pytest tests/web/test_openapi_drift.py checks that openapi.json is what the server publishes).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "api-types-"));
try {
  const out = join(dir, "schema.d.ts");
  execFileSync(join(root, "node_modules", ".bin", "openapi-typescript"), ["src/api/openapi.json", "-o", out], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const expected = readFileSync(out, "utf8");
  const actual = readFileSync(join(root, "src", "api", "schema.d.ts"), "utf8");
  if (expected !== actual) {
    console.error("src/api/schema.d.ts is stale: run `npm run gen:api --prefix web` (or `make web-api-types`) and commit it");
    process.exit(1);
  }
  console.log("schema.d.ts matches openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
