/**
 * Builds the dashboard (src/web) into dist/web: one page, its scripts and the analysis worker,
 * all served by `glossa serve` (no CDN). The parsers the page shares with the CLI import
 * node:fs/promises and node:path for their path-based entry points; the page uses only their
 * byte/text entry points, so those imports point at small browser shims.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  logLevel: "warn",
  resolve: {
    alias: {
      "node:fs/promises": `${here}shims/nodeFs.ts`,
      "node:path": `${here}shims/nodePath.ts`,
    },
  },
  worker: { format: "es" },
  build: {
    outDir: fileURLToPath(new URL("../../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2500,
  },
});
