import { describe, expect, it } from "vitest";
import { Random } from "../src/util/random.js";
import { drawCodes } from "../src/mapping/codes.js";
import { alphabetSymbols, meaningSpace, svoMeaningSpace } from "../src/mapping/meaningSpace.js";
import {
  compositionalLanguage,
  entangledLanguage,
  holisticLanguage,
  roleBlockWidths,
  syntheticLanguage,
  SYNTHETIC_KINDS,
} from "../src/mapping/synthetic.js";
import type { DiscreteMapping } from "../src/mapping/types.js";
import { validateMapping } from "../src/mapping/types.js";
import { buildProbabilityTable } from "../src/mapping/table.js";
import { entanglement, homonymy, synonymy, wordOrderFreedom } from "../src/mapping/variation.js";
import { inferWordOrder } from "../src/mapping/wordOrder.js";
import { InputError } from "../src/util/inputError.js";

const opts = { length: 6, alphabetSize: 26, seed: 7 };

function signalOf(m: DiscreteMapping, i: number): string {
  return Array.from(m.signals.subarray(i * m.length, (i + 1) * m.length)).join(",");
}

function measure(m: DiscreteMapping) {
  const t = buildProbabilityTable(m);
  return {
    synonymy: synonymy(t).value,
    homonymy: homonymy(t).value,
    freedom: wordOrderFreedom(t).value,
    entanglement: entanglement(t),
    order: inferWordOrder(t).positions,
  };
}

describe("meaning spaces and alphabets", () => {
  it("enumerates the product space, last role fastest", () => {
    const s = meaningSpace([2, 3]);
    expect(s.size).toBe(6);
    expect([...s.meanings]).toEqual([0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 2]);
    expect(s.roles.map((r) => r.name)).toEqual(["role1", "role2"]);
    const svo = svoMeaningSpace();
    expect(svo.size).toBe(15625);
    expect(svo.roles.map((r) => r.name)).toEqual(["subject", "verb", "object"]);
    expect(svo.roles[1]!.atoms[24]).toBe("verb24");
  });
  it("rejects empty or non-integer role sizes", () => {
    expect(() => meaningSpace([])).toThrow(InputError);
    expect(() => meaningSpace([3, 0])).toThrow(/role "role2" needs a positive integer/);
  });
  it("names symbols with single characters up to 62", () => {
    expect(alphabetSymbols(3)).toEqual(["a", "b", "c"]);
    expect(alphabetSymbols(62)[61]).toBe("9");
    expect(alphabetSymbols(63)[62]).toBe("s62");
  });
});

describe("codes", () => {
  it("are distinct, variants differ at every slot, and slots are injective when they can be", () => {
    for (const [items, variants, width, C] of [
      [5, 2, 2, 26],
      [25, 2, 2, 26],
      [25, 1, 3, 4],
      [200, 3, 6, 26],
    ] as const) {
      const codes = drawCodes(items, variants, width, C, new Random(1));
      const keys = new Set<string>();
      for (let j = 0; j < items * variants; j++)
        keys.add(Array.from(codes.subarray(j * width, (j + 1) * width)).join(","));
      expect(keys.size).toBe(items * variants);
      for (let i = 0; i < items; i++) {
        for (let t = 0; t < width; t++) {
          const slot = new Set(Array.from({ length: variants }, (_, v) => codes[(i * variants + v) * width + t]));
          expect(slot.size).toBe(variants);
        }
      }
      if (items * variants <= C) {
        for (let t = 0; t < width; t++) {
          expect(new Set(Array.from({ length: items * variants }, (_, j) => codes[j * width + t])).size).toBe(
            items * variants,
          );
        }
      }
      expect(Math.min(...codes)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...codes)).toBeLessThan(C);
    }
  });
  it("fill a dense code space exactly", () => {
    const codes = drawCodes(16, 1, 2, 4, new Random(3));
    const keys = new Set<string>();
    for (let j = 0; j < 16; j++) keys.add(`${codes[2 * j]},${codes[2 * j + 1]}`);
    expect(keys.size).toBe(16);
  });
  it("say why when the alphabet is too small", () => {
    expect(() => drawCodes(25, 1, 2, 4, new Random(1))).toThrow(
      /25 distinct codes of 2 symbol\(s\) need an alphabet of at least 5 symbols, got 4/,
    );
    expect(() => drawCodes(3, 5, 2, 4, new Random(1))).toThrow(/at least 5 symbols/);
  });
});

describe("synthetic languages: construction", () => {
  const space = meaningSpace([5, 5, 5]);
  it("splits the signal into role blocks", () => {
    expect(roleBlockWidths(3, 6)).toEqual([2, 2, 2]);
    expect(roleBlockWidths(3, 7)).toEqual([3, 2, 2]);
    expect(() => roleBlockWidths(3, 2)).toThrow(/length 2 cannot give each of 3 roles/);
  });
  it("are valid, seeded and reproducible", () => {
    for (const kind of SYNTHETIC_KINDS) {
      const a = syntheticLanguage(kind, space, opts);
      validateMapping(a);
      expect(a.size).toBe(125);
      expect(a.alphabet).toHaveLength(26);
      expect(a.signals).toEqual(syntheticLanguage(kind, space, opts).signals);
      expect(a.signals).not.toEqual(syntheticLanguage(kind, space, { ...opts, seed: 8 }).signals);
    }
  });
  it("compositional, entangled and holistic signals are unique per meaning", () => {
    for (const m of [
      compositionalLanguage(space, opts),
      entangledLanguage(space, opts),
      holisticLanguage(space, opts),
    ]) {
      expect(new Set(Array.from({ length: m.size }, (_, i) => signalOf(m, i))).size).toBe(m.size);
    }
  });
  it("holistic homonyms share each signal among k meanings", () => {
    const m = holisticLanguage(meaningSpace([4, 3]), { ...opts, homonyms: 3 });
    expect(new Set(Array.from({ length: m.size }, (_, i) => signalOf(m, i))).size).toBe(4);
  });
  it("give each atom k codes with synonyms", () => {
    const m = compositionalLanguage(meaningSpace([3, 20]), { ...opts, length: 2, alphabetSize: 62, synonyms: 3 });
    const codesOfAtom0 = new Set<number>();
    for (let i = 0; i < m.size; i++) if (m.meanings[i * 2] === 0) codesOfAtom0.add(m.signals[i * 2]!);
    expect(codesOfAtom0.size).toBe(3);
  });
  it("throw a clear InputError when impossible", () => {
    expect(() => compositionalLanguage(svoMeaningSpace(), { ...opts, alphabetSize: 4 })).toThrow(InputError);
    expect(() => compositionalLanguage(svoMeaningSpace(), { ...opts, alphabetSize: 4 })).toThrow(
      /need an alphabet of at least 5 symbols, got 4/,
    );
    expect(() => holisticLanguage(svoMeaningSpace(), { ...opts, length: 2 })).toThrow(/15625 distinct codes/);
    expect(() => entangledLanguage(meaningSpace([5]), opts)).toThrow(/at least two roles/);
    expect(() => compositionalLanguage(space, { ...opts, synonyms: 0 })).toThrow(/synonyms must be a positive integer/);
    expect(() => compositionalLanguage(space, { ...opts, length: 0 })).toThrow(/signal length/);
  });
});

describe("synthetic languages: METHODS reference values", () => {
  // 5 atoms per role and 26 symbols: room for every code at every slot (k·|A| ≤ |C|), so
  // homonymy is not forced up by the pigeonhole principle.
  const space = meaningSpace([5, 5, 5]);

  it("compositional: synonymy = homonymy = freedom = entanglement = 0, order 001122", () => {
    const m = measure(compositionalLanguage(space, opts));
    expect([m.synonymy, m.homonymy, m.freedom, m.entanglement.value]).toEqual([0, 0, 0, 0]);
    expect(m.order).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("homonyms: only homonymy rises, to its hand-worked value", () => {
    const m = measure(compositionalLanguage(space, { ...opts, homonyms: 2 }));
    // Groups of 2, 2, 1 atoms: the three symbols at a slot have H(atom | c) = ln2, ln2, 0.
    expect(m.homonymy).toBeCloseTo((2 * Math.LN2) / 3 / Math.log(5), 14);
    expect([m.synonymy, m.freedom, m.entanglement.value]).toEqual([0, 0, 0]);
    expect(m.order).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("synonyms: synonymy rises; homonymy stays 0; freedom adds nothing beyond synonymy", () => {
    const m = measure(compositionalLanguage(space, { ...opts, synonyms: 2 }));
    expect(m.synonymy).toBeGreaterThan(0.15);
    expect(m.synonymy).toBeLessThanOrEqual(Math.LN2 / Math.log(26) + 1e-12);
    expect(m.homonymy).toBe(0);
    // Every atom varies equally at each of its own slots, so min-of-means = mean-of-mins.
    expect(m.freedom).toBeCloseTo(m.synonymy, 12);
    expect(m.order).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("free order: word-order freedom rises well above the compositional 0", () => {
    const m = measure(syntheticLanguage("free-order", space, opts));
    expect(m.freedom).toBeGreaterThan(0.3);
    // Freedom ≥ synonymy always (a min of means ≥ a mean of mins); only here, where no single
    // position carries a role for all of its atoms, is it strictly above (synonyms: equal).
    expect(m.freedom).toBeGreaterThan(m.synonymy + 0.005);
    // All roles visit all positions alike, so their profiles coincide.
    expect(m.entanglement.value).toBeGreaterThan(0.7);
  });

  it("entangled: the entangled pair has entanglement exactly 1, the other pairs less", () => {
    const m = measure(entangledLanguage(space, opts));
    const [sv, so, vo] = m.entanglement.perPair;
    expect(sv).toEqual({ roles: [0, 1], value: 1 });
    expect(so!.value).toBeLessThan(0.6);
    expect(vo!.value).toBeLessThan(0.6);
    expect(m.homonymy).toBe(0); // 25 pairs ≤ 26 symbols: each symbol names one pair
  });

  it("compositional on the 25³ SVO space (L 6, |C| 26): all four 0, order s s v v o o", () => {
    const m = measure(compositionalLanguage(svoMeaningSpace(), opts));
    expect([m.synonymy, m.homonymy, m.freedom, m.entanglement.value]).toEqual([0, 0, 0, 0]);
    expect(m.order).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("holistic (25³, L 6, |C| 26): all four measures near 1", () => {
    for (const homonyms of [1, 2]) {
      const m = measure(holisticLanguage(svoMeaningSpace(), { ...opts, homonyms }));
      for (const v of [m.synonymy, m.homonymy, m.freedom]) expect(v).toBeGreaterThan(0.98);
      expect(m.entanglement.value).toBeGreaterThan(0.98);
    }
  });

  it("synonymy rises only with structures that vary an atom's form (not with homonyms)", () => {
    const syn = (kind: (typeof SYNTHETIC_KINDS)[number]) => measure(syntheticLanguage(kind, space, opts)).synonymy;
    expect(syn("compositional")).toBe(0);
    expect(syn("homonyms")).toBe(0);
    expect(syn("synonyms")).toBeGreaterThan(0.15);
  });

  it("homonymy rises only with shared forms (not with synonyms or entangled pairs)", () => {
    const hom = (kind: (typeof SYNTHETIC_KINDS)[number]) => measure(syntheticLanguage(kind, space, opts)).homonymy;
    expect(hom("compositional")).toBe(0);
    expect(hom("synonyms")).toBe(0);
    expect(hom("entangled")).toBe(0);
    expect(hom("homonyms")).toBeGreaterThan(0.25);
  });

  it("entanglement rises only with equal positional profiles (not with homonyms)", () => {
    const ent = (kind: (typeof SYNTHETIC_KINDS)[number]) =>
      measure(syntheticLanguage(kind, space, opts)).entanglement.value;
    expect(ent("compositional")).toBe(0);
    expect(ent("homonyms")).toBe(0);
    expect(ent("entangled")).toBeGreaterThan(ent("synonyms") + 0.2);
  });
});
