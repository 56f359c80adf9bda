import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/commands/seq2seq.js";
import { UsageError } from "../src/cli/args.js";
import { InputError } from "../src/io/errors.js";

describe("glossa seq2seq: bad configurations fail before training", () => {
  const out = path.join(os.tmpdir(), `s2s-cli-${process.pid}`);
  const cases: [string[], RegExp][] = [
    [["--split", "lenght"], /--split must be one of random, jump, turn-left, around-right, length/],
    [["--size", "huge"], /--size: "huge" is not one of small, medium, large/],
    [["--preset", "full"], /--preset must be one of quick, thesis/],
    [["--task", "copy", "--split", "jump"], /only the random split/],
    [["--steps", "0"], /--steps must be ≥ 1/],
    [["--seeds", "1,x"], /--seeds must be comma-separated integers/],
    [["--regimes", "standard", "--meta"], /--meta conflicts/],
    [["--points", "50", "--steps", "10"], /measurePoints \(50\) cannot exceed/],
    [["--lr", "3"], /learningRate must be in \(0, 1\)/],
    [["--frobnicate"], /unknown option --frobnicate/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(" "), async () => {
      const error = await run([...argv, "--out", out]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    });
  }
});

describe("glossa seq2seq --config", () => {
  it("a bad config file is bad input (InputError naming the file), not a usage error; flags still override it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s2s-cfg-"));
    const out = path.join(dir, "out");
    const file = path.join(dir, "cfg.json");
    const attempt = (values: unknown, extra: string[] = []) => {
      fs.writeFileSync(file, JSON.stringify(values));
      return run(["--config", file, ...extra, "--out", out]).catch((e: unknown) => e);
    };
    const unknown = await attempt({ stepz: 3 });
    expect(unknown).toBeInstanceOf(InputError);
    expect((unknown as Error).message).toMatch(/cfg\.json: unknown key "stepz" \(known keys: task, split,/);
    expect(((await attempt({ learningRate: 3 })) as Error).message).toMatch(
      /cfg\.json: learningRate must be in \(0, 1\)/,
    );
    // The flag's value wins over the file's (and the error names the command line).
    expect(((await attempt({ steps: 10 }, ["--points", "50"])) as Error).message).toMatch(
      /command line: measurePoints \(50\) cannot exceed steps \+ 1 \(11\)/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
