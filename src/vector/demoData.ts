/**
 * Generated data with a known structure for the vector demo and tests: each row is
 *   z = meaningCentre[meaning] + subtypeWeight · subtypeCentre[subtype] + noise · ε,
 * with ε standard normal, plus an `irrelevant` label drawn independently of z. So `meaning`
 * matters, `meaning+subtype` (nested: finer than meaning) adds a little, and `irrelevant`
 * carries no information; the noise level dials regularity from high to ~0.
 */
import { Random } from "../util/random.js";

export interface StructuredData {
  d: number;
  rows: Float32Array;
  labels: { meaning: Int32Array; "meaning+subtype": Int32Array; irrelevant: Int32Array };
}

export interface StructuredDataOptions {
  count: number;
  d: number;
  meanings: number;
  subtypes: number;
  subtypeWeight: number;
  noise: number;
  seed: number;
}

function normal(random: Random): number {
  const u = random.uniform53() || Number.MIN_VALUE;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.uniform53());
}

export function structuredData(o: StructuredDataOptions): StructuredData {
  const random = new Random(o.seed);
  const centres = Float64Array.from({ length: o.meanings * o.d }, () => normal(random));
  const subCentres = Float64Array.from({ length: o.subtypes * o.d }, () => normal(random));
  const rows = new Float32Array(o.count * o.d);
  const meaning = new Int32Array(o.count);
  const fine = new Int32Array(o.count);
  const irrelevant = new Int32Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const m = random.int(o.meanings);
    const s = random.int(o.subtypes);
    meaning[i] = m;
    fine[i] = m * o.subtypes + s;
    irrelevant[i] = random.int(o.meanings);
    for (let j = 0; j < o.d; j++) {
      rows[i * o.d + j] = centres[m * o.d + j]! + o.subtypeWeight * subCentres[s * o.d + j]! + o.noise * normal(random);
    }
  }
  return { d: o.d, rows, labels: { meaning, "meaning+subtype": fine, irrelevant } };
}
