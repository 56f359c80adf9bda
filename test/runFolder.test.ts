import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunFolder, readJournal, readRunFolder, rowsToCsv } from "../src/io/runFolder.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-run-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("RunFolder", () => {
  it("records parameters, appends rows and writes CSV on finish", () => {
    const dir = tempDir();
    const run = RunFolder.open(dir, { experiment: "test", parameters: { n: 100, seed: 3 }, command: "glossa test" });
    run.append([
      { experiment: "test", seed: 3, epoch: 1, measure: "loss", value: 0.5 },
      { experiment: "test", seed: 3, epoch: 1, measure: 'note, "quoted"', value: 1, layer: undefined },
    ]);
    run.finish("done");
    const { info, rows } = readRunFolder(dir);
    expect(info?.status).toBe("done");
    expect(info?.parameters).toEqual({ n: 100, seed: 3 });
    expect(info?.rows).toBe(2);
    expect(info?.machine.cpus).toBeGreaterThan(0);
    expect(rows).toHaveLength(2);
    expect("layer" in rows[1]!).toBe(false);
    const csv = fs.readFileSync(path.join(dir, "results.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("experiment,seed,epoch,measure,value");
    expect(csv[2]).toBe('test,3,1,"note, ""quoted""",1');
  });

  it("refuses to overwrite a journal without resume", () => {
    const dir = tempDir();
    RunFolder.open(dir, { experiment: "test", parameters: {} }).append([
      { experiment: "test", measure: "m", value: 1 },
    ]);
    expect(() => RunFolder.open(dir, { experiment: "test", parameters: {} })).toThrow(/--resume/);
  });

  it("drops a partly written last line on resume, with a message, and truncates it", () => {
    const dir = tempDir();
    const run = RunFolder.open(dir, { experiment: "test", parameters: {} });
    run.append([{ experiment: "test", epoch: 1, measure: "m", value: 1 }]);
    fs.appendFileSync(path.join(dir, "results.jsonl"), '{"experiment":"test","epoch":2,"meas');
    const messages: string[] = [];
    const resumed = RunFolder.open(dir, {
      experiment: "test",
      parameters: {},
      resume: true,
      log: (m) => messages.push(m),
    });
    expect(resumed.existing).toHaveLength(1);
    expect(messages.join()).toMatch(/partly written last line/);
    resumed.append([{ experiment: "test", epoch: 2, measure: "m", value: 2 }]);
    expect(readJournal(path.join(dir, "results.jsonl")).rows.map((r) => r.epoch)).toEqual([1, 2]);
    expect(resumed.info.resumedFrom).toHaveLength(1);
  });

  it("treats a corrupt line in the middle as an error naming the line", () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "results.jsonl"),
      '{"measure":"a","value":1}\nnot json\n{"measure":"b","value":2}\n',
    );
    expect(() => readJournal(path.join(dir, "results.jsonl"))).toThrow(/line 2/);
  });

  it("writes non-finite values as null, never NaN", () => {
    expect(rowsToCsv([{ experiment: "e", measure: "m", value: null }])).toBe("experiment,measure,value\ne,m,\n");
    const dir = tempDir();
    const run = RunFolder.open(dir, { experiment: "e", parameters: {} });
    run.append([{ experiment: "e", measure: "m", value: NaN }]);
    expect(readRunFolder(dir).rows[0]!.value).toBeNull();
  });
});
