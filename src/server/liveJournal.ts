/**
 * Server-sent events for one run: new journal rows and run.json changes as they happen.
 * The server watches the folder (fs.watch) and, because some file systems drop watch events,
 * also checks the file sizes every `pollMs` — on the server, so the browser never polls.
 * Each event's id is the journal byte offset, so a reconnecting EventSource resumes exactly.
 */
import fs from "node:fs";
import path from "node:path";
import type { ServerResponse } from "node:http";
import { readJournalFrom } from "./journal.js";
import { JOURNAL_FILE, RUN_FILE, type RunLocation } from "./runIndex.js";
import { summariseRun } from "./runSummary.js";

export interface LiveOptions {
  pollMs?: number;
  heartbeatMs?: number;
}

/** Streams a run's journal from byte `from` until the response closes; returns a stopper. */
export function streamRun(
  response: ServerResponse,
  location: RunLocation,
  from: number,
  options: LiveOptions = {},
): () => void {
  response.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
  });
  const journal = path.join(location.dir, JOURNAL_FILE);
  const runFile = path.join(location.dir, RUN_FILE);
  let offset = from;
  let runStamp = "";
  let stopped = false;
  const send = (event: string, data: unknown, id?: number) => {
    response.write(`${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const check = () => {
    if (stopped) return;
    const chunk = readJournalFrom(journal, offset);
    if (chunk.restarted) send("reset", { reason: "the journal was truncated (a resumed run)" });
    if (chunk.end !== offset || chunk.restarted) {
      offset = chunk.end;
      if (chunk.rows.length > 0 || chunk.restarted) send("rows", chunk.rows, offset);
    }
    let stamp = "";
    try {
      const stat = fs.statSync(runFile);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      // run.json mid-rename: next check
    }
    if (stamp !== "" && stamp !== runStamp) {
      runStamp = stamp;
      send("run", summariseRun(location));
    }
  };
  response.write("retry: 1000\n\n");
  check();
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(location.dir, () => check());
    watcher.on("error", () => {});
  } catch {
    // polling below still works
  }
  const poll = setInterval(check, options.pollMs ?? 500);
  const heartbeat = setInterval(() => response.write(": keep-alive\n\n"), options.heartbeatMs ?? 15_000);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    watcher?.close();
    clearInterval(poll);
    clearInterval(heartbeat);
    response.end();
  };
  response.on("close", stop);
  return stop;
}
