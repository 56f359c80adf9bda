/**
 * `glossa serve`'s server (src/server/): run folders found recursively, the tolerant journal
 * reader, read-only file serving that refuses path traversal and symlinks out of the served
 * folders, and server-sent events for appended rows.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardServer, listen } from "../src/server/app.js";
import { parseJournalBytes, readJournalFrom } from "../src/server/journal.js";
import { findRuns, locateRun, servedRoots } from "../src/server/runIndex.js";
import { dashboardStatus, STALE_AFTER_MS } from "../src/server/runSummary.js";
import { runCli } from "./helpers/runCli.js";
import { fixtureRows, writeRunFolder } from "./helpers/runFixtures.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-server-"));
const served = path.join(tmp, "out");
const outside = path.join(tmp, "outside");
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const encoder = new TextEncoder();

describe("the tolerant journal reader", () => {
  it("skips non-measurement records and stops before a torn last line", () => {
    const text = [
      '{"measure":"a","value":1}',
      '{"type":"cell-complete","cell":"x"}',
      "not json",
      '{"measure":"b","value":null,"epoch":2}',
      '{"measure":"c","val',
    ].join("\n");
    const chunk = parseJournalBytes(encoder.encode(text), 10);
    expect(chunk.rows.map((r) => r.measure)).toEqual(["a", "b"]);
    expect(chunk.skipped).toBe(2);
    expect(chunk.end).toBe(10 + text.lastIndexOf("\n") + 1);
  });
  it("reads on from an offset and starts again when the file shrank", () => {
    const file = path.join(tmp, "j.jsonl");
    fs.writeFileSync(file, '{"measure":"a","value":1}\n');
    const first = readJournalFrom(file, 0);
    fs.appendFileSync(file, '{"measure":"b","value":2}\n{"measure":"c"');
    const second = readJournalFrom(file, first.end);
    expect(second.rows.map((r) => r.measure)).toEqual(["b"]);
    fs.appendFileSync(file, ',"value":3}\n');
    expect(readJournalFrom(file, second.end).rows.map((r) => r.measure)).toEqual(["c"]);
    fs.writeFileSync(file, '{"measure":"z","value":0}\n');
    const again = readJournalFrom(file, 1000);
    expect(again.restarted).toBe(true);
    expect(again.rows.map((r) => r.measure)).toEqual(["z"]);
  });
});

describe("status", () => {
  it("calls a running run with a dead lock holder, or silent for long, interrupted", () => {
    const dir = path.join(tmp, "status");
    fs.mkdirSync(dir, { recursive: true });
    const now = Date.now();
    expect(dashboardStatus("done", dir, now, now)).toBe("done");
    expect(dashboardStatus("failed: boom", dir, now, now)).toBe("failed");
    expect(dashboardStatus("running", dir, now, now)).toBe("running");
    expect(dashboardStatus("running", dir, now - STALE_AFTER_MS - 1, now)).toBe("interrupted");
    fs.writeFileSync(path.join(dir, ".lock"), JSON.stringify({ pid: process.pid }));
    expect(dashboardStatus("running", dir, now - STALE_AFTER_MS - 1, now)).toBe("running");
    fs.writeFileSync(path.join(dir, ".lock"), "2147483646");
    expect(dashboardStatus("running", dir, now, now)).toBe("interrupted");
    // the lock format of src/io/runLock.ts; another host's lock cannot be checked from here
    fs.writeFileSync(
      path.join(dir, ".lock"),
      JSON.stringify({ pid: 2147483646, host: os.hostname(), started: "", command: "" }),
    );
    expect(dashboardStatus("running", dir, now, now)).toBe("interrupted");
    fs.writeFileSync(
      path.join(dir, ".lock"),
      JSON.stringify({ pid: 2147483646, host: "elsewhere", started: "", command: "" }),
    );
    expect(dashboardStatus("running", dir, now, now)).toBe("running");
    // a folder whose writer keeps a lock and commits.jsonl: no lock while "running" = the writer is gone
    fs.rmSync(path.join(dir, ".lock"));
    fs.writeFileSync(path.join(dir, "commits.jsonl"), "");
    expect(dashboardStatus("running", dir, now, now)).toBe("interrupted");
  });
});

describe("the HTTP server", () => {
  let server: http.Server;
  let port = 0;
  const assets = path.join(tmp, "assets");

  beforeAll(async () => {
    writeRunFolder(path.join(served, "emergent", "a"));
    writeRunFolder(path.join(served, "emergent", "b"), { status: "running", tornLastLine: true });
    writeRunFolder(path.join(served, "deep", "er", "c"), { status: "failed: out of memory" });
    fs.mkdirSync(path.join(served, "not-a-run"), { recursive: true });
    fs.writeFileSync(path.join(served, "not-a-run", "run.json"), "{}");
    writeRunFolder(path.join(outside, "secret-run"));
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(served, "emergent", "a", "link.txt"));
    fs.symlinkSync(outside, path.join(served, "linked-folder"));
    fs.mkdirSync(assets);
    fs.writeFileSync(path.join(assets, "index.html"), "<!doctype html><title>t</title>");
    server = createDashboardServer({ dirs: [served], assetsDir: assets, live: { pollMs: 200 } });
    port = (await listen(server, 0, "127.0.0.1")).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A raw request: the path goes out exactly as written (no client-side normalising of ..). */
  function request(
    rawPath: string,
    method = "GET",
  ): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: rawPath, method }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("finds run folders recursively, not symlinked ones outside the folder", () => {
    const runs = findRuns(servedRoots([served]));
    expect(runs.map((r) => r.id)).toEqual(["0/deep/er/c", "0/emergent/a", "0/emergent/b"]);
    expect(locateRun(servedRoots([served]), "0/../outside/secret-run")).toBeNull();
    expect(locateRun(servedRoots([served]), "0/linked-folder/secret-run")).toBeNull();
    expect(locateRun(servedRoots([served]), "1/emergent/a")).toBeNull();
  });

  it("lists the runs with status and progress", async () => {
    const answer = await request("/api/runs");
    expect(answer.status).toBe(200);
    const { runs } = JSON.parse(answer.body) as {
      runs: { id: string; status: string; progress: { epoch: number; fraction: number } }[];
    };
    expect(runs).toHaveLength(3);
    expect(runs.map((r) => r.status)).toEqual(["failed", "done", "running"]);
    expect(runs[1]!.progress).toMatchObject({ epoch: 5, fraction: 1 });
  });

  it("answers a run's rows, skipping markers and the torn last line", async () => {
    const answer = JSON.parse((await request(`/api/run?id=${encodeURIComponent("0/emergent/b")}`)).body) as {
      rows: unknown[];
      skipped: number;
      end: number;
      files: string[];
    };
    expect(answer.rows).toHaveLength(fixtureRows({ status: "running" }).length);
    expect(answer.skipped).toBe(1);
    expect(answer.files).toEqual(["results.jsonl", "run.json"]);
    const size = fs.statSync(path.join(served, "emergent", "b", "results.jsonl")).size;
    expect(answer.end).toBeLessThan(size);
  });

  it("serves files inside the folder and refuses traversal and symlinks out", async () => {
    expect((await request("/files/0/emergent/a/run.json")).status).toBe(200);
    for (const attempt of [
      "/files/0/../outside/secret.txt",
      "/files/0/..%2F..%2Foutside%2Fsecret.txt",
      "/files/0/%2e%2e/outside/secret.txt",
      "/files/0/emergent/a/link.txt",
      "/files/0/linked-folder/secret.txt",
      `/files/0/${encodeURIComponent(path.join(outside, "secret.txt"))}`,
      "/files/1/secret.txt",
      "/../../../etc/passwd",
      "/..%2f..%2fpackage.json",
    ]) {
      const answer = await request(attempt);
      expect([attempt, answer.status]).toEqual([attempt, 404]);
      expect(answer.body).not.toContain("secret");
    }
    expect((await request(`/api/run?id=${encodeURIComponent("0/../outside/secret-run")}`)).status).toBe(404);
  });

  it("answers only requests addressed to localhost (no DNS rebinding)", async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path: "/api/runs", headers: { Host: "evil.example:80" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    expect(answer).toBe(403);
    expect((await request("/api/runs")).status).toBe(200);
  });

  it("is read-only and cross-origin isolated", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) expect((await request("/api/runs", method)).status).toBe(405);
    const page = await request("/");
    expect(page.status).toBe(200);
    expect(page.headers["cross-origin-opener-policy"]).toBe("same-origin");
    expect(page.headers["cross-origin-embedder-policy"]).toBe("require-corp");
  });

  it("streams appended rows as server-sent events within 2 s", async () => {
    const dir = path.join(served, "emergent", "a");
    const journal = path.join(dir, "results.jsonl");
    const from = fs.statSync(journal).size;
    const events: { event: string; data: string; id?: string }[] = [];
    let appendedAt = 0;
    const latency = await new Promise<number>((resolve, reject) => {
      const req = http.get(
        { host: "127.0.0.1", port, path: `/api/events?id=${encodeURIComponent("0/emergent/a")}&from=${from}` },
        (res) => {
          expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
          let buffer = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffer += chunk;
            let split = buffer.indexOf("\n\n");
            while (split >= 0) {
              const block = buffer.slice(0, split);
              buffer = buffer.slice(split + 2);
              const event = /^event: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              const id = /^id: (.*)$/m.exec(block)?.[1];
              if (event && data) events.push({ event, data, ...(id ? { id } : {}) });
              if (event === "rows") {
                req.destroy();
                resolve(Date.now() - appendedAt);
              }
              split = buffer.indexOf("\n\n");
            }
            if (appendedAt === 0 && events.some((e) => e.event === "run")) {
              appendedAt = Date.now();
              fs.appendFileSync(journal, '{"type":"cell-complete"}\n{"measure":"accuracy","epoch":6,"value":0.99}\n');
            }
          });
        },
      );
      req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(e)));
      setTimeout(() => reject(new Error("no rows event within 5 s")), 5000);
    });
    const rows = events.find((e) => e.event === "rows")!;
    expect(JSON.parse(rows.data)).toEqual([{ measure: "accuracy", epoch: 6, value: 0.99 }]);
    expect(Number(rows.id)).toBe(fs.statSync(journal).size);
    expect(latency).toBeLessThan(2000);
    console.log(`SSE latency (server, fs.watch + ${200} ms poll): ${latency} ms`);
  });
});

describe("glossa serve (CLI)", () => {
  it("says which folder is missing (exit 1) and rejects a bad port (exit 2)", async () => {
    const missing = await runCli(["serve", path.join(tmp, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.err.join("\n")).toMatch(/nope: no such folder/);
    const badPort = await runCli(["serve", served, "--port", "70000"]);
    expect(badPort.code).toBe(2);
    expect(badPort.err.join("\n")).toMatch(/--port/);
  });
});
