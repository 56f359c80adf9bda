/**
 * The scale-out options of every sweep command (`--shard`, `--queue`, `--store`, `--attempts`)
 * and what they become in the experiment's options. One place, so the three commands stay alike.
 */
import type { ShardSpec } from "../experiments/runner.js";
import { type QueueDispatcher, QUEUE_OPTIONS, queueOptions } from "./queue.js";
import { SHARD_OPTION, shardOptions } from "./shard.js";

export const SCALE_OUT_OPTIONS = { shard: SHARD_OPTION, ...QUEUE_OPTIONS } as const;

/** `{shard}` or `{dispatcher}` (or nothing: the embedded default) from the command's options. */
export function scaleOutOptions(
  command: string,
  argv: readonly string[],
  out: string,
  option: (name: keyof typeof SCALE_OUT_OPTIONS) => string | undefined,
): { shard?: ShardSpec; dispatcher?: QueueDispatcher } {
  const given = {
    out,
    queue: option("queue"),
    store: option("store"),
    attempts: option("attempts"),
    shard: option("shard"),
  };
  return { ...shardOptions(given.shard), ...queueOptions(command, argv, given) };
}
