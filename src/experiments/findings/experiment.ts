/**
 * NODE ONLY: `glossa findings` — runs the selected claims at one scale into a run folder and
 * writes their verdicts.
 *
 * Shape (docs/ARCHITECTURE-experiments.md): the findings folder is a run folder whose cells
 * are claims; each claim journals its rows in its own run folder `<out>/claims/<name>/`
 * (resumable on its own; emergent claims train each run once into `<out>/runs/`, shared
 * between claims, one commit per epoch of a run) and commits its verdict row to
 * the findings journal as `claim/<name>`. A resume skips committed claims and continues the
 * others where they stopped; `--only` may differ between calls on the same folder. At the end
 * (over every claim committed in the folder): findings.json, FINDINGS.md, one SVG per claim
 * and report.html.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readRunFolder, type ResultRow, rowsToCsv } from "../../io/runFolder.js";
import { type ExperimentOptions, withRunFolder, yieldToEventLoop } from "../runner.js";
import type { Claim, ClaimResult, Scale } from "./claim.js";
import { InputError } from "../../io/errors.js";
import { findingsMarkdown, type FindingRecord } from "./markdown.js";
import { findingsReportHtml } from "./report.js";

export const EXPERIMENT = "findings";

export interface FindingsOptions extends ExperimentOptions {
  scale: Scale;
  claims: readonly Claim[];
  splitsDir?: string;
  backend?: "wasm" | "cpu";
  /**
   * Other findings folders whose decided claims join this folder's in the report and FINDINGS.md
   * (read only, never committed here; a claim decided here wins). A folder whose run is still
   * going may be named: its verdicts are read from its journal.
   */
  withFolders?: readonly string[];
  /** Claims whose verdicts may be plotted (those of --with folders too); default `claims`. */
  knownClaims?: readonly Claim[];
  /** Train only this run of the (single) claim's shared pool, outside any lock but that run's: a process of `parallel`. */
  trainRun?: string;
  /** Train each claim's pending runs `processes` at a time, each started by `startRun` (e.g. a child `--train-run` process). */
  parallel?: { processes: number; startRun(claim: string, runId: string): Promise<void> };
}

export interface FindingsResult {
  dir: string;
  records: FindingRecord[];
  seconds: number;
}

export const claimDir = (out: string, name: string) => path.join(out, "claims", name);

/** The machine in one line, e.g. "linux x64, 2 × AMD EPYC …, 8 GiB, node v20.11.0". */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

function resultRow(record: FindingRecord): ResultRow {
  const r = record.result;
  return {
    experiment: EXPERIMENT,
    claim: r.claim,
    measure: "estimate",
    value: r.estimate,
    low: r.interval95?.[0] ?? null,
    high: r.interval95?.[1] ?? null,
    n: r.n,
    verdict: r.verdict,
    statistic: r.statistic,
    scale: record.scale,
    seconds: record.seconds,
    finished: record.finished,
    record: JSON.stringify(record),
  };
}

export async function runFindings(options: FindingsOptions): Promise<FindingsResult> {
  const started = performance.now();
  if (options.trainRun !== undefined) return trainOneRun(options, options.trainRun, started);
  const identity = {
    experiment: EXPERIMENT,
    parameters: {
      scale: options.scale,
      claims: options.claims.map((c) => c.name),
      splits: options.splitsDir ?? null,
      backend: options.backend ?? "wasm",
    },
    // Claims are cells: a later call may run others into the same folder.
    mayChange: ["claims"],
  };
  return withRunFolder(identity, options, async (folder, log) => {
    for (const claim of options.claims) {
      const id = `claim/${claim.name}`;
      if (folder.isCommitted(id)) {
        log(`findings: ${claim.name} already decided in ${folder.dir}; skipped`);
        continue;
      }
      const preset = claim.configurations[options.scale];
      const config = configFor(claim, preset, options.splitsDir);
      const dir = claimDir(folder.dir, claim.name);
      const t0 = performance.now();
      log(`findings: ${claim.name} (${claim.title}), ${options.scale} scale, into ${dir}`);
      const rows = await claim.run(config, {
        dir,
        runsDir: path.join(folder.dir, "runs"),
        resume: fs.existsSync(path.join(dir, "results.jsonl")),
        log,
        ...(options.backend ? { backend: options.backend } : {}),
        ...(options.parallel
          ? {
              parallel: {
                processes: options.parallel.processes,
                startRun: (runId: string) => options.parallel!.startRun(claim.name, runId),
              },
            }
          : {}),
      });
      const result = claim.analyse(rows, config);
      const record: FindingRecord = {
        result,
        title: claim.title,
        thesis: claim.thesis,
        definition: claim.definition,
        scale: options.scale,
        command: options.command ?? "",
        machine: machineLine(),
        finished: new Date().toISOString(),
        seconds: (performance.now() - t0) / 1000,
      };
      folder.commit(id, [resultRow(record)]);
      await yieldToEventLoop();
      log(
        `findings: ${claim.name} ${result.verdict}: ${result.statistic} = ${result.estimate?.toFixed(3) ?? "–"} ${result.interval95 ? `[${result.interval95.map((v) => v.toFixed(3)).join(", ")}]` : ""} (n = ${result.n}; ${result.reason})`,
      );
    }

    // Every claim decided in this folder (earlier calls' too), in the order first decided, then
    // those of --with folders not decided here.
    const decided = decidedRecords(folder.rows()).map((record) => ({ record, dir: folder.dir }));
    for (const other of options.withFolders ?? []) {
      for (const record of decidedRecords(readFindingsJournal(other)))
        if (!decided.some((d) => d.record.result.claim === record.result.claim)) decided.push({ record, dir: other });
    }
    const records = decided.map((d) => d.record);
    const figures: Record<string, string> = {};
    const svgs: Record<string, string> = {};
    for (const { record, dir } of decided) {
      const claim = (options.knownClaims ?? options.claims).find((c) => c.name === record.result.claim);
      const sub = claimDir(dir, record.result.claim);
      if (!claim || !fs.existsSync(path.join(sub, "results.jsonl"))) continue;
      const preset = claim.configurations[record.scale];
      const config = configFor(claim, preset, options.splitsDir);
      const svg = await claim.plot(readRunFolder(sub).rows, record.result, config);
      const file = `${record.result.claim}.svg`;
      fs.writeFileSync(folder.file(file), svg);
      figures[record.result.claim] = file;
      svgs[record.result.claim] = svg;
    }
    fs.writeFileSync(folder.file("findings.json"), `${JSON.stringify(records, null, 2)}\n`);
    fs.writeFileSync(folder.file("FINDINGS.md"), findingsMarkdown(records, figures));
    fs.writeFileSync(folder.file("report.html"), findingsReportHtml(records, svgs, folder.dir));
    fs.writeFileSync(folder.file("findings.csv"), rowsToCsv(records.map(resultRow)));
    return { dir: folder.dir, records, seconds: (performance.now() - started) / 1000 };
  });
}

export type { ClaimResult };

/** The verdict records among a findings journal's rows. */
function decidedRecords(rows: readonly ResultRow[]): FindingRecord[] {
  return rows
    .filter((r) => r.experiment === EXPERIMENT && typeof r.record === "string")
    .map((r) => JSON.parse(r.record as string) as FindingRecord);
}

/** The rows of another findings folder (`--with`), which must be one. */
function readFindingsJournal(dir: string): ResultRow[] {
  const runJson = path.join(dir, "run.json");
  if (!fs.existsSync(runJson)) throw new InputError("not a findings run folder (no run.json)", { file: dir });
  const folder = readRunFolder(dir);
  if (folder.info?.experiment !== EXPERIMENT)
    throw new InputError(`not a findings run folder (experiment ${String(folder.info?.experiment)})`, {
      file: runJson,
    });
  return folder.rows;
}

/** A claim's configuration, on the user's split files when `--splits` is given and the claim reads them. */
function configFor<Config>(claim: Claim<Config>, preset: Config, splitsDir: string | undefined): Config {
  if (splitsDir === undefined) return preset;
  if (!claim.withSplits)
    throw new InputError(
      `claim ${claim.name} does not read split files; leave out --splits or choose claims with --only`,
      {
        file: splitsDir,
      },
    );
  return claim.withSplits(preset, splitsDir);
}

/** One run of one claim's shared pool, trained (or finished) in the findings folder's `runs/`; decides nothing. */
async function trainOneRun(options: FindingsOptions, runId: string, started: number): Promise<FindingsResult> {
  if (options.claims.length !== 1)
    throw new RangeError(`--train-run trains a run of one claim; ${options.claims.length} were named`);
  const claim = options.claims[0]!;
  const config = configFor(claim, claim.configurations[options.scale], options.splitsDir);
  const log = options.log ?? ((message: string) => void process.stderr.write(`${message}\n`));
  await claim.run(config, {
    dir: claimDir(options.out, claim.name),
    runsDir: path.join(options.out, "runs"),
    resume: true,
    log,
    trainRun: runId,
    ...(options.backend ? { backend: options.backend } : {}),
  });
  return { dir: options.out, records: [], seconds: (performance.now() - started) / 1000 };
}
