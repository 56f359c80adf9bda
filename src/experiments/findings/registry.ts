/**
 * The claims `glossa findings` knows, in report order. To add one: a file in this folder
 * exporting a `Claim` (see ./claim.ts), imported here and listed in CLAIMS.
 */
import { InputError } from "../../io/errors.js";
import type { Claim } from "./claim.js";
import { E1 } from "./e1.js";
import { E2 } from "./e2.js";
import { E3 } from "./e3.js";
import { L1 } from "./l1.js";
import { M1 } from "./m1.js";
import { S1 } from "./s1.js";
import { S2 } from "./s2.js";
import { S3 } from "./s3.js";

export const CLAIMS: readonly Claim[] = [E1, E2, E3, S1, S2, S3, M1, L1] as readonly Claim[];

/** The claims named by --only (all when none), in registry order; an unknown name throws. */
export function selectClaims(only: readonly string[] | undefined, claims: readonly Claim[] = CLAIMS): Claim[] {
  if (!only || only.length === 0) return [...claims];
  const known = new Set(claims.map((c) => c.name));
  const unknown = only.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new InputError(`--only: unknown claim ${unknown.join(", ")}; known claims: ${[...known].join(", ")}`);
  return claims.filter((c) => only.includes(c.name));
}
