/**
 * Where the dashboard's built web assets are: dist/web beside the compiled server (an installed
 * package), or the checkout's dist/web when running from sources (tests, tsx).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function defaultAssetsDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, "../web"), path.resolve(here, "../../dist/web")];
  return candidates.find((dir) => fs.existsSync(path.join(dir, "index.html"))) ?? null;
}
