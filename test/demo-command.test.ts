import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/cli/args.js";
import { run } from "../src/cli/commands/demo.js";
import { DEMO_SECTIONS } from "../src/cli/demoSections.js";
import { InputError } from "../src/io/errors.js";

describe("glossa demo: bad options", () => {
  it("--only with an unknown name lists the sections", async () => {
    const error = await run(["--only", "vectors"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `--only: unknown section "vectors" (sections: ${DEMO_SECTIONS.map((s) => s.name).join(", ")})`,
    );
    expect(DEMO_SECTIONS.map((s) => s.name)).toEqual(["mapping", "vector", "emergent", "seq2seq", "lm", "findings"]);
  });

  it("--out naming a file, or a place that cannot be written, is one InputError line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glossa-demo-cmd-"));
    try {
      const file = path.join(dir, "file");
      fs.writeFileSync(file, "");
      // The demo writes into OUT/demo: a file named OUT makes that path unwritable.
      const error = await run(["--out", file, "--only", "vector"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(
        `${path.join(file, "demo")}: cannot write a run folder here (a parent of it is a file); choose another --out`,
      );
      fs.mkdirSync(path.join(dir, "out", "demo"), { recursive: true });
      fs.writeFileSync(path.join(dir, "out", "demo", "x"), "");
      const onFile = await run(["--out", path.join(dir, "out", "demo", "x"), "--only", "vector"]).catch((e) => e);
      expect((onFile as Error).message).toMatch(/cannot write a run folder here/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
