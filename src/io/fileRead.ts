/**
 * Positioned reads for the tensor file readers (.npy, .safetensors): open with an InputError
 * that names the file, and read exactly N bytes at an offset (short reads retried).
 */
import { openSync, readSync } from "node:fs";
import { InputError } from "./errors.js";
import { inputErrorFromSystemError } from "./systemError.js";

export function openForReading(path: string): number {
  try {
    return openSync(path, "r");
  } catch (error) {
    throw (
      inputErrorFromSystemError(error) ?? new InputError(`cannot open: ${(error as Error).message}`, { file: path })
    );
  }
}

/** Fills `target` with the bytes at `position`; an early end of file is an InputError. */
export function readFully(fd: number, target: Uint8Array, position: number, path: string): Uint8Array {
  let done = 0;
  while (done < target.length) {
    const got = readSync(fd, target, done, target.length - done, position + done);
    if (got === 0)
      throw new InputError(
        `unexpected end of file at byte ${position + done} (did the file change while being read?)`,
        { file: path },
      );
    done += got;
  }
  return target;
}
