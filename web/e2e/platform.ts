/**
 * Global setup of the browser journeys: the platform as `make run` starts it
 * (`.venv/bin/python -m shared.localrun`), on a free 127.0.0.1 port, with a fresh LMS_DATA_DIR and
 * LMS_WEB_DIST pointing at the built app; waits until it is ready and the demo video has been
 * transcoded; stops it (and removes its data) when the run ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const webRoot = resolve(here, "..");
export const repoRoot = resolve(webRoot, "..");
export const distDir = join(webRoot, "dist");

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.unref();
    server.on("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the platform exited (${child.exitCode}) while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function token(base: string, userId: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/dev/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tenantId: "demo", userId }),
  });
  if (!response.ok) throw new Error(`dev sign-in of ${userId}: ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(distDir, "index.html"))) throw new Error("web/dist is not built: run `make web` (or npm run build) first");
  const python = join(repoRoot, ".venv", "bin", "python");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "lms-e2e-"));
  const logs = join(webRoot, "test-results");
  mkdirSync(logs, { recursive: true });
  // This run's screenshots only (a reviewer looks at the folder without running anything).
  rmSync(join(logs, "screenshots"), { recursive: true, force: true });
  const log = createWriteStream(join(logs, "platform.log"));
  const child = spawn(python, ["-m", "shared.localrun", "--port", String(port)], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LMS_PROFILE: "embedded",
      LMS_DATA_DIR: dataDir,
      LMS_WEB_DIST: distDir,
      LMS_PUBLIC_BASE_URL: base,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((res) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          res();
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          res();
        });
      });
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitFor(async () => (await fetch(`${base}/api/ready`)).ok, "the platform to be ready", 90_000, child);
    // The seed uploads a generated clip that the worker transcodes: wait until it is playable.
    const instructor = await token(base, "instructor");
    await waitFor(
      async () => {
        const r = await fetch(`${base}/api/v1/courses/getting-started/lessons/welcome/video`, {
          headers: { Authorization: `Bearer ${instructor}` },
        });
        return r.ok && ((await r.json()) as { status: string }).status === "ready";
      },
      "the demo video to be transcoded",
      120_000,
      child,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  process.env.LMS_E2E_BASE_URL = base;
  return stop;
}
