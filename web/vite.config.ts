/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` proxies /api to a local platform (`make run`, or LMS_API_PROXY=http://127.0.0.1:PORT),
// so the dev server and the API share an origin exactly as they do when the API serves web/dist.
const apiTarget = process.env.LMS_API_PROXY ?? "http://127.0.0.1:7071";

export default defineConfig({
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    proxy: { "/api": { target: apiTarget, changeOrigin: false } },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    // dist/.vite/manifest.json maps each source entry to its chunks: the bundle benchmark and the
    // browser test that a learner downloads no staff chunk read it.
    manifest: true,
    // Chunk names say which area they belong to, so the bundle benchmark and the browser test
    // that checks a learner never downloads the staff areas can tell them apart.
    rollupOptions: {
      output: {
        chunkFileNames: "assets/[name]-[hash].js",
      },
    },
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
