/**
 * `glossa generate KIND`: writes a seeded synthetic language over a meaning space to a
 * mapping file. Wiring only.
 */
import {
  choiceOption,
  describeOptions,
  flagOption,
  numberOption,
  parseArgs,
  stringOption,
  UsageError,
} from "../args.js";
import { formatFromPath, MAPPING_FORMATS, writeMappingFile } from "../../io/mappingFile.js";
import { meaningSpace } from "../../mapping/meaningSpace.js";
import {
  SYNTHETIC_DESCRIPTIONS,
  SYNTHETIC_KINDS,
  syntheticLanguage,
  type SyntheticKind,
} from "../../mapping/synthetic.js";

export const summary =
  "write a seeded synthetic language (compositional, synonyms, free order, holistic, …) to a mapping file";

const OPTIONS = {
  roles: { type: "string", description: "number of roles (default 3; or the length of --atoms when it is a list)" },
  atoms: { type: "string", description: "atoms per role: one number, or a comma list per role (default 25)" },
  length: { type: "string", description: "signal length L (default 6)" },
  alphabet: { type: "string", description: "alphabet size |C| (default 26)" },
  synonyms: { type: "string", description: "codes per atom for kind synonyms (default 2)" },
  homonyms: {
    type: "string",
    description: "atoms (or meanings) per shared code for kinds homonyms, holistic-homonyms (default 2)",
  },
  seed: { type: "string", description: "random seed (default 1)" },
  out: { type: "string", description: "output file, .tsv, .csv or .jsonl (required)" },
  format: {
    type: "string",
    description: `file format (${MAPPING_FORMATS.join(", ")}; default from --out's extension)`,
  },
  help: { type: "boolean" },
} as const;

function help(): string {
  const kinds = SYNTHETIC_KINDS.map((k) => `  ${k.padEnd(18)} ${SYNTHETIC_DESCRIPTIONS[k]}`).join("\n");
  return `usage: glossa generate KIND --out FILE [options]\n${summary}\n\nkinds:\n${kinds}\n\noptions:\n${describeOptions(OPTIONS)}\n\nexample: glossa generate compositional --roles 3 --atoms 25 --length 6 --alphabet 26 --seed 1 --out svo.tsv`;
}

function roleSizes(atomsRaw: string | undefined, roles: number | undefined): number[] {
  const parts = (atomsRaw ?? "25").split(",").map((s) => s.trim());
  const sizes = parts.map((s) => {
    const n = Number(s);
    if (s === "" || !Number.isInteger(n) || n < 1)
      throw new UsageError(`--atoms must be positive integers, got "${atomsRaw}"`);
    return n;
  });
  if (sizes.length === 1) return Array.from({ length: roles ?? 3 }, () => sizes[0]!);
  if (roles !== undefined && roles !== sizes.length)
    throw new UsageError(`--roles ${roles} does not match the ${sizes.length} sizes given to --atoms`);
  return sizes;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(help());
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(`give exactly one KIND (${SYNTHETIC_KINDS.join(", ")})`);
  const kind = args.positionals[0]!;
  if (!(SYNTHETIC_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`unknown kind "${kind}" (known: ${SYNTHETIC_KINDS.join(", ")})`);
  const out = stringOption(args, "out");
  if (!out) throw new UsageError("--out FILE is required (.tsv, .csv or .jsonl)");
  const format =
    args.options.format === undefined ? formatFromPath(out) : choiceOption(args, "format", MAPPING_FORMATS, "tsv");
  const roles =
    args.options.roles === undefined ? undefined : numberOption(args, "roles", 3, { integer: true, min: 1 });
  const space = meaningSpace(roleSizes(stringOption(args, "atoms"), roles));
  const options = {
    length: numberOption(args, "length", 6, { integer: true, min: 1 }),
    alphabetSize: numberOption(args, "alphabet", 26, { integer: true, min: 1 }),
    seed: numberOption(args, "seed", 1, { integer: true }),
    synonyms: numberOption(args, "synonyms", 2, { integer: true, min: 1 }),
    homonyms: numberOption(args, "homonyms", 2, { integer: true, min: 1 }),
  };
  const mapping = syntheticLanguage(kind as SyntheticKind, space, options);
  await writeMappingFile(out, mapping, format);
  process.stderr.write(
    `wrote ${mapping.size} ${kind} examples (${space.roles.map((r) => r.atoms.length).join(" × ")} meanings, L ${options.length}, |C| ${options.alphabetSize}, seed ${options.seed}) to ${out}\n`,
  );
  return 0;
}
