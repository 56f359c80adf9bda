/** Test helper: bundles the CLI from src/ into one file (rolldown), so child processes need no `npm run build`. */
import path from "node:path";
import { build } from "rolldown";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** Writes the bundle to `file` (inside the repository, so node_modules resolves). */
export async function bundleCli(file: string): Promise<void> {
  await build({
    input: path.join(ROOT, "src", "cli", "bin.ts"),
    platform: "node",
    external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
    output: { file, format: "esm", codeSplitting: false },
    logLevel: "silent",
  });
}
