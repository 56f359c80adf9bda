/**
 * `glossa anchors`: makes the seeded soft-entropy anchors (src/vector/anchors.ts), prints their
 * fingerprint, optionally saves them to .npy; `--calibration` prints ε under all three
 * temperature calibrations (src/vector/temperature.ts) with their warnings; `--in FILE.npy`
 * fingerprints anchors saved earlier. Wiring only.
 */
import { describeOptions, flagOption, numberOption, parseArgs, stringOption, UsageError } from "../args.js";
import { readNpy, writeNpy } from "../../io/npy.js";
import { InputError } from "../../io/errors.js";
import {
  ANCHOR_GENERATOR,
  anchorFingerprint,
  anchorsFromMatrix,
  makeAnchors,
  type Anchors,
} from "../../vector/anchors.js";
import { CALIBRATIONS, calibrateTemperatureWithWarnings, type Calibration } from "../../vector/temperature.js";
import { textTable } from "../../report/html.js";

const MAX_ANCHOR_VALUES = 2 ** 31;

export const summary =
  "make seeded soft-entropy anchors (print fingerprint, save .npy) and show the temperature calibrations";

const OPTIONS = {
  d: { type: "string", description: "dimension of the representations (required unless --in)" },
  n: { type: "string", description: "number of anchors (default 100)" },
  seed: { type: "string", description: "seed of the generator (default 0)" },
  out: { type: "string", description: "write the anchors to this .npy file (float32, n × d)" },
  in: {
    type: "string",
    description: "read anchors from this .npy file instead of generating them, and fingerprint them",
  },
  calibration: {
    type: "boolean",
    description: "print ε for the bound, exact and leading-order calibrations, with warnings",
  },
  json: { type: "boolean", description: "print JSON" },
  help: { type: "boolean" },
} as const;

interface CalibrationRow {
  calibration: Calibration;
  epsilon: number | null;
  warnings: string[];
}

function calibrations(d: number, n: number): CalibrationRow[] {
  return CALIBRATIONS.map((calibration) => {
    try {
      const { epsilon, warnings } = calibrateTemperatureWithWarnings(d, n, calibration);
      return { calibration, epsilon, warnings };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return { calibration, epsilon: null, warnings: [`${calibration}: ${error.message}`] };
    }
  });
}

function loadAnchors(path: string): Anchors {
  const array = readNpy(path);
  if (array.shape.length !== 2)
    throw new InputError(`anchors must be a 2-D array (n × d), got shape [${array.shape.join(", ")}]`, { file: path });
  if (array.data instanceof BigInt64Array)
    throw new InputError(`anchors must be floating point, got ${array.dtype}`, { file: path });
  try {
    return anchorsFromMatrix(array.data, array.shape[0]!, array.shape[1]!);
  } catch (error) {
    if (error instanceof RangeError) throw new InputError(error.message, { file: path });
    throw error;
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(`usage: glossa anchors --d D [--n N] [--seed S] [--out FILE.npy] [--calibration] [--json]
       glossa anchors --in FILE.npy [--calibration] [--json]
${summary}

Anchors come from the generator ${ANCHOR_GENERATOR} (documented in src/vector/anchors.ts and
reproduced by scripts/anchors-reference.py): the same n, d and seed give bit-identical anchors
on every machine.

${describeOptions(OPTIONS)}`);
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`unexpected argument "${args.positionals[0]}" (see glossa anchors --help)`);
  const input = stringOption(args, "in");
  const out = stringOption(args, "out");
  let anchors: Anchors;
  if (input !== undefined) {
    for (const name of ["d", "n", "seed", "out"] as const) {
      if (args.options[name] !== undefined)
        throw new UsageError(`--${name} cannot be combined with --in (the file fixes the anchors)`);
    }
    anchors = loadAnchors(input);
  } else {
    if (stringOption(args, "d") === undefined)
      throw new UsageError("--d is required (the dimension of the representations)");
    const d = numberOption(args, "d", 0, { integer: true, min: 1 });
    const n = numberOption(args, "n", 100, { integer: true, min: 1 });
    const seed = numberOption(args, "seed", 0, { integer: true, min: -2147483648, max: 4294967295 });
    // makeAnchors (vector/anchors.ts) refuses more than 2^31 values; say so in flag terms.
    if (n * d > MAX_ANCHOR_VALUES)
      throw new UsageError(
        `--n ${n} × --d ${d} = ${(n * d).toLocaleString("en")} values is more than the ${MAX_ANCHOR_VALUES.toLocaleString("en")} anchors can hold`,
      );
    anchors = makeAnchors({ n, d, seed });
  }
  const fingerprint = anchorFingerprint(anchors);
  if (out !== undefined) writeNpy(out, anchors.data, [anchors.n, anchors.d]);
  const table = flagOption(args, "calibration") ? calibrations(anchors.d, anchors.n) : undefined;

  if (flagOption(args, "json")) {
    const result = {
      generator: input === undefined ? ANCHOR_GENERATOR : null,
      n: anchors.n,
      d: anchors.d,
      seed: anchors.seed ?? null,
      fingerprint,
      ...(input !== undefined ? { in: input } : {}),
      ...(out !== undefined ? { out } : {}),
      ...(table ? { calibrations: table } : {}),
    };
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  const source = input !== undefined ? `read from ${input}` : `seed ${anchors.seed}, generator ${ANCHOR_GENERATOR}`;
  console.log(`anchors: n = ${anchors.n}, d = ${anchors.d} (${source})`);
  console.log(`fingerprint: ${fingerprint}`);
  if (out !== undefined) console.log(`wrote ${out} (${anchors.n} × ${anchors.d} float32)`);
  if (table) {
    console.log(`\ntemperature ε for n = ${anchors.n} anchors in d = ${anchors.d}:`);
    const rows = table.map((row) => ({
      calibration: row.calibration,
      ε: row.epsilon === null ? "n/a" : row.epsilon.toPrecision(4),
    }));
    console.log(textTable(["calibration", "ε"], rows));
    for (const row of table) for (const warning of row.warnings) console.log(`warning: ${warning}`);
  }
  return 0;
}
