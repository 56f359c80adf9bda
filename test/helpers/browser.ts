/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (never a downloaded browser). `chromiumPath()` is null when it is not installed, so a suite
 * can say why it skipped; CI (.ci/run) installs it.
 */
import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.GLOSSA_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumPath(): string | null {
  return fs.existsSync(CHROMIUM) ? CHROMIUM : null;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}
