/**
 * NODE ONLY: reads the emergent game's splits from files in the released format of the ICLR
 * 2023 reference (hcoxec/variable_compositionality, data/two_predicates/): a folder with
 * train*.tsv, val*.tsv, test*.tsv and optionally iid_test*.tsv, one meaning per line as
 * `subject verb object<TAB>subject verb object` (the sender's input and the receiver's target,
 * the same meaning in a reconstruction game).
 *
 * Atoms are read from the files: each role's atoms are the distinct words seen in its position
 * (sorted, so the codes do not depend on file order). The meanings are the distinct meanings of
 * all files; test*.tsv is the compositional test, iid_test*.tsv the iid test, and val*.tsv joins
 * the meanings (its language is measured) without an accuracy of its own. A line that breaks the
 * format is an InputError naming the file and line.
 */
import fs from "node:fs";
import path from "node:path";
import { InputError } from "../../io/errors.js";
import { readTextLinesSync } from "../../io/textFile.js";
import { type Splits, unseenCombinationRate } from "./splits.js";

export const SPLIT_FILE_KINDS = ["train", "val", "test", "iid_test"] as const;
type Kind = (typeof SPLIT_FILE_KINDS)[number];

export interface SplitFiles {
  /** Atom names per role (sorted). */
  atomNames: string[][];
  /** Distinct meanings of all files, N × R atom codes, in first-seen order. */
  meanings: Int32Array;
  splits: Splits;
  /** The files read per kind (base names). */
  files: Record<Kind, string[]>;
}

/** Which kind a file name is: iid_test*.tsv before test*.tsv (both start with a kind's prefix). */
function kindOf(name: string): Kind | undefined {
  if (!name.endsWith(".tsv")) return undefined;
  if (name.startsWith("iid_test")) return "iid_test";
  if (name.startsWith("test")) return "test";
  if (name.startsWith("train")) return "train";
  if (name.startsWith("val")) return "val";
  return undefined;
}

function readMeaningLines(file: string, roles: number): string[][] {
  const out: string[][] = [];
  readTextLinesSync(file, (line, raw) => {
    const text = raw.replace(/\r$/, "");
    if (text.trim() === "") return;
    const fields = text.split("\t");
    if (fields.length !== 2)
      throw new InputError(
        `expected "subject verb object<TAB>subject verb object" (2 tab-separated fields), found ${fields.length}`,
        { file, line },
      );
    const [input, target] = fields.map((f) => f.trim().split(/\s+/)) as [string[], string[]];
    if (input.length !== roles || target.length !== roles)
      throw new InputError(
        `expected ${roles} words on each side of the tab, found ${input.length} and ${target.length}`,
        {
          file,
          line,
        },
      );
    if (input.join(" ") !== target.join(" "))
      throw new InputError(`the two sides differ ("${fields[0]}" vs "${fields[1]}"); the game reconstructs its input`, {
        file,
        line,
      });
    out.push(input);
  });
  return out;
}

/** Reads and checks a split folder for a game with `roles` roles. */
export function readSplitFiles(dir: string, roles: number): SplitFiles {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    throw new InputError("cannot read the split folder (expected train*.tsv, val*.tsv, test*.tsv)", { file: dir });
  }
  const files: Record<Kind, string[]> = { train: [], val: [], test: [], iid_test: [] };
  for (const name of names) {
    const kind = kindOf(name);
    if (kind) files[kind].push(name);
  }
  for (const kind of ["train", "val", "test"] as const)
    if (files[kind].length === 0) throw new InputError(`no ${kind}*.tsv file in the split folder`, { file: dir });

  const lines: Record<Kind, string[][]> = { train: [], val: [], test: [], iid_test: [] };
  for (const kind of SPLIT_FILE_KINDS) {
    for (const name of files[kind]) {
      const file = path.join(dir, name);
      const read = readMeaningLines(file, roles);
      if (read.length === 0) throw new InputError("holds no meanings", { file });
      lines[kind].push(...read);
    }
  }
  const atomNames = Array.from({ length: roles }, (_, r) => {
    const seen = new Set<string>();
    for (const kind of SPLIT_FILE_KINDS) for (const m of lines[kind]) seen.add(m[r]!);
    return [...seen].sort();
  });
  const codes = atomNames.map((names) => new Map(names.map((n, i) => [n, i])));
  const index = new Map<string, number>();
  const meanings: number[] = [];
  const indices = (kind: Kind) => {
    const set = new Set<number>();
    for (const m of lines[kind]) {
      const key = m.join(" ");
      let i = index.get(key);
      if (i === undefined) {
        i = index.size;
        index.set(key, i);
        meanings.push(...m.map((w, r) => codes[r]!.get(w)!));
      }
      set.add(i);
    }
    return Int32Array.from([...set].sort((a, b) => a - b));
  };
  const train = indices("train");
  indices("val");
  const compositional = indices("test");
  const iid = indices("iid_test");
  const all = Int32Array.from(meanings);
  const atoms = atomNames.map((a) => a.length);
  return {
    atomNames,
    meanings: all,
    splits: {
      train,
      iid,
      compositional,
      heldOutCombinations: unseenPairs(all, atoms, train, compositional),
      unseenCombinationRate: {
        iid: unseenCombinationRate(all, atoms, train, iid),
        compositional: unseenCombinationRate(all, atoms, train, compositional),
      },
    },
    files,
  };
}

/** Distinct (role r atom, role s atom) combinations, over every pair of roles, in `test` but in no `train` meaning. */
function unseenPairs(meanings: Int32Array, atoms: readonly number[], train: Int32Array, test: Int32Array): number {
  const R = atoms.length;
  let count = 0;
  for (let r = 0; r < R; r++)
    for (let s = r + 1; s < R; s++) {
      const key = (i: number) => meanings[i * R + r]! * atoms[s]! + meanings[i * R + s]!;
      const seen = new Set(Array.from(train, key));
      const unseen = new Set(Array.from(test, key).filter((k) => !seen.has(k)));
      count += unseen.size;
    }
  return count;
}
