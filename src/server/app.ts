/**
 * The `glossa serve` HTTP server: a JSON API and server-sent events over run folders, the
 * files inside them, and the dashboard's built assets. Read-only (GET/HEAD only; nothing is
 * ever written or deleted), and every path is resolved inside a served folder (runIndex.ts).
 * Responses carry COOP/COEP headers so the page is cross-origin isolated.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { readJournalFrom } from "./journal.js";
import { streamRun, type LiveOptions } from "./liveJournal.js";
import { findRuns, insideRoot, JOURNAL_FILE, locateRun, servedRoots, type ServedRoot } from "./runIndex.js";
import { summariseRun } from "./runSummary.js";

export interface DashboardOptions {
  /** Folders searched for run folders. */
  dirs: readonly string[];
  /** Built web assets (index.html + assets/); null when not built. */
  assetsDir: string | null;
  live?: LiveOptions;
  /**
   * Answer only requests addressed to localhost / 127.0.0.1 / [::1] (default true): a page on
   * another site cannot reach the server through DNS rebinding. `glossa serve --host` other
   * than a loopback address turns it off.
   */
  loopbackHostsOnly?: boolean;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether a Host header names this machine's loopback interface. */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    return LOOPBACK_HOSTS.has(new URL(`http://${hostHeader}`).hostname);
  } catch {
    return false;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
};

const SECURITY_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  response.end(JSON.stringify(body));
}

function sendError(response: http.ServerResponse, status: number, message: string): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  response.end(`${message}\n`);
}

function sendFile(request: http.IncomingMessage, response: http.ServerResponse, file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    sendError(response, 404, "not found");
    return;
  }
  if (!stat.isFile()) {
    sendError(response, 404, "not found");
    return;
  }
  response.writeHead(200, {
    "Content-Type": CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": stat.size,
    "Cache-Control": "no-cache",
  });
  if (request.method === "HEAD") response.end();
  else fs.createReadStream(file).pipe(response);
}

/** Plain files directly inside a run folder (names), for links to its report and plots. */
function filesIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Splits a URL path after a prefix into decoded segments, or null when a segment cannot be decoded. */
function decodedPath(rest: string): string | null {
  try {
    return rest
      .split("/")
      .map((s) => decodeURIComponent(s))
      .join("/");
  } catch {
    return null;
  }
}

export function createDashboardServer(options: DashboardOptions): http.Server {
  const roots = servedRoots(options.dirs);
  const assetRoot: ServedRoot | null = options.assetsDir ? servedRoots([options.assetsDir])[0]! : null;
  const streams = new Set<() => void>();

  const server = http.createServer((request, response) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.setHeader(k, v);
    if ((options.loopbackHostsOnly ?? true) && !isLoopbackHost(request.headers.host))
      return sendError(response, 403, "this dashboard answers only requests to localhost (see glossa serve --host)");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("Allow", "GET, HEAD");
      return sendError(response, 405, "read-only: only GET and HEAD");
    }
    const url = new URL(request.url ?? "/", "http://localhost");
    const route = url.pathname;

    if (route === "/api/runs") {
      const runs = findRuns(roots).map((location) => summariseRun(location));
      return sendJson(response, 200, { roots: roots.map((r) => r.given), runs });
    }
    if (route === "/api/run" || route === "/api/events") {
      const location = locateRun(roots, url.searchParams.get("id") ?? "");
      if (!location) return sendError(response, 404, "no such run folder");
      if (route === "/api/run") {
        const chunk = readJournalFrom(path.join(location.dir, JOURNAL_FILE), 0);
        return sendJson(response, 200, {
          summary: summariseRun(location),
          rows: chunk.rows,
          end: chunk.end,
          skipped: chunk.skipped,
          files: filesIn(location.dir),
        });
      }
      const from = Number(request.headers["last-event-id"] ?? url.searchParams.get("from") ?? 0);
      const stop = streamRun(response, location, Number.isInteger(from) && from >= 0 ? from : 0, options.live);
      streams.add(stop);
      response.on("close", () => streams.delete(stop));
      return;
    }
    if (route.startsWith("/files/")) {
      const rest = decodedPath(route.slice("/files/".length));
      const slash = rest?.indexOf("/") ?? -1;
      const root = rest && slash > 0 ? roots[Number(rest.slice(0, slash))] : undefined;
      const file = root && rest ? insideRoot(root, rest.slice(slash + 1)) : null;
      if (!file) return sendError(response, 404, "not found (only files inside the served folders)");
      return sendFile(request, response, file);
    }
    if (!assetRoot) {
      return sendError(response, 503, "the dashboard's web assets are not built: run `npm run build` in glossa");
    }
    const rest = decodedPath(route === "/" ? "index.html" : route.slice(1));
    const file = rest ? insideRoot(assetRoot, rest) : null;
    if (!file) return sendError(response, 404, "not found");
    return sendFile(request, response, file);
  });
  server.on("close", () => {
    for (const stop of streams) stop();
  });
  const close = server.close.bind(server);
  // SSE responses never end by themselves: end them so close() completes.
  server.close = (callback?: (error?: Error) => void) => {
    for (const stop of streams) stop();
    server.closeAllConnections();
    return close(callback);
  };
  return server;
}

/** Starts listening; resolves with the address actually bound (port 0 picks a free one). */
export function listen(server: http.Server, port: number, host: string): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({ url: `http://${shownHost}:${bound}/`, port: bound });
    });
  });
}
