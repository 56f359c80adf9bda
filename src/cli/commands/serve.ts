/**
 * `glossa serve [DIR...]`: the dashboard over run folders (src/server/ serves, src/web/ is
 * the page). Binds 127.0.0.1 unless --host says otherwise; read-only. Wiring only.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { InputError } from "../../io/errors.js";
import { defaultAssetsDir } from "../../server/assets.js";
import { createDashboardServer, listen } from "../../server/app.js";
import { findRuns, servedRoots } from "../../server/runIndex.js";
import { describeOptions, flagOption, numberOption, parseArgs, stringOption } from "../args.js";

export const summary = "dashboard in the browser over run folders: runs, plots, compare, live updates, analyse a file";

const OPTIONS = {
  port: { type: "string", description: "port (default 8080; 0 picks a free one)" },
  host: { type: "string", description: "address to bind (default 127.0.0.1: this machine only)" },
  open: { type: "boolean", description: "open the dashboard in the default browser" },
  help: { type: "boolean" },
} as const;

function openInBrowser(url: string): void {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.on("error", () => process.stderr.write(`glossa serve: could not start ${opener}; open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`glossa serve: open ${url} in a browser\n`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(
      `usage: glossa serve [DIR...] [options]   (default DIR: glossa-out)\n${summary}\n\n${describeOptions(OPTIONS)}`,
    );
    return 0;
  }
  const port = numberOption(args, "port", 8080, { integer: true, min: 0, max: 65535 });
  const host = stringOption(args, "host") ?? "127.0.0.1";
  const dirs = args.positionals.length > 0 ? args.positionals : ["glossa-out"];
  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new InputError("no such folder (give folders holding run folders, e.g. glossa-out)", { file: dir });
  }
  const assetsDir = defaultAssetsDir();
  if (!assetsDir) process.stderr.write("glossa serve: web assets not built (npm run build); serving the API only\n");
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(host);
  if (!loopback)
    process.stderr.write(
      `glossa serve: listening on ${host}: anyone who can reach this port can read the run folders served\n`,
    );
  const server = createDashboardServer({ dirs, assetsDir, loopbackHostsOnly: loopback });
  let bound: { url: string };
  try {
    bound = await listen(server, port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === "EADDRINUSE"
        ? `port ${port} is in use: choose another with --port (0 picks a free one)`
        : `cannot listen on ${host}:${port} (${code ?? (error as Error).message})`,
    );
  }
  const runs = findRuns(servedRoots(dirs)).length;
  console.log(`glossa serve: ${runs} run folder${runs === 1 ? "" : "s"} under ${dirs.join(", ")}`);
  console.log(`glossa serve: dashboard at ${bound.url}  (Ctrl-C stops)`);
  if (flagOption(args, "open")) openInBrowser(bound.url);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
