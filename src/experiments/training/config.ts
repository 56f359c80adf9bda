/**
 * One way to configure every experiment: a named preset, then a JSON config file, then
 * command-line flags, each overriding the one before; unknown keys are errors naming the
 * source and the known keys; the result is validated before any work starts. The shared
 * validators throw InputError messages of one form: `<source>: "<key>" must …, got …`.
 * NODE ONLY for `readSettingsFile`; the rest is pure.
 */
import fs from "node:fs";
import { InputError } from "../../io/errors.js";

/** One layer of settings and where it came from (a file name, "command line", "preset quick"). */
export interface SettingsLayer {
  source: string;
  values: Record<string, unknown>;
}

export interface SettingsSchema<C> {
  /** Every key a config may set. */
  keys: readonly string[];
  /** Throws an InputError naming the first bad key; `source` names where the settings came from. */
  validate(config: C, source: string): void;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a JSON object of settings (InputError naming the file when missing or not a JSON object). */
export function readSettingsFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new InputError("no such config file", { file });
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file });
  }
  if (!isPlainObject(parsed)) throw new InputError("expected a JSON object of settings", { file });
  return parsed;
}

/**
 * Layers `layers` over `base` in order (undefined values are skipped, so unset flags keep
 * the earlier value) and validates the result. The validation's source is the last layer
 * that set anything (or the base's name).
 */
export function resolveSettings<C extends object>(
  schema: SettingsSchema<C>,
  base: C,
  baseName: string,
  layers: readonly SettingsLayer[] = [],
): C {
  const merged: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  let source = baseName;
  for (const layer of layers) {
    if (!isPlainObject(layer.values)) throw new InputError(`${layer.source}: expected a JSON object of settings`);
    let set = false;
    for (const [key, value] of Object.entries(layer.values)) {
      if (!schema.keys.includes(key))
        throw new InputError(`${layer.source}: unknown key "${key}" (known keys: ${schema.keys.join(", ")})`);
      if (value === undefined) continue;
      merged[key] = value;
      set = true;
    }
    if (set) source = layer.source;
  }
  schema.validate(merged as C, source);
  return merged as C;
}

const show = (v: unknown) => JSON.stringify(v);

/** An integer in [min, max]. */
export function integerSetting(
  value: unknown,
  key: string,
  source: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InputError(`${source}: "${key}" must be an integer ${range}, got ${show(value)}`);
  }
  return value;
}

/** A number strictly between lo and hi. */
export function openIntervalSetting(value: unknown, key: string, source: string, lo: number, hi: number): number {
  if (typeof value !== "number" || !(value > lo) || !(value < hi))
    throw new InputError(`${source}: "${key}" must be in (${lo}, ${hi}), got ${show(value)}`);
  return value;
}

/** One of the allowed values. */
export function choiceSetting<T>(value: unknown, key: string, source: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new InputError(`${source}: "${key}" must be one of ${allowed.join(", ")}, got ${show(value)}`);
  return value as T;
}

/** A non-empty list without duplicates. */
export function listSetting(value: unknown, key: string, source: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new InputError(`${source}: "${key}" must be a non-empty list, got ${show(value)}`);
  if (new Set(value).size !== value.length)
    throw new InputError(`${source}: "${key}" has duplicates: ${value.join(", ")}`);
  return value;
}
