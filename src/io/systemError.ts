/**
 * File-system failures (a missing folder, no permission, a read-only disk, a full disk) are
 * about the paths the user gave, not bugs: this turns Node's errno errors into an InputError
 * naming the path in words, e.g. "out/x.tsv: cannot open for writing: no such folder".
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "./errors.js";

const REASONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "is a folder, expected a file",
  ENOTDIR: "a part of the path is not a folder",
  EEXIST: "a file or folder of that name already exists",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
  ENOTEMPTY: "folder not empty",
  EBUSY: "resource busy",
};

const ACTIONS: Record<string, string> = {
  open: "cannot open",
  read: "cannot read",
  write: "cannot write",
  mkdir: "cannot create the folder",
  rename: "cannot rename",
  unlink: "cannot remove",
  rmdir: "cannot remove the folder",
  scandir: "cannot list the folder",
  stat: "cannot find",
  lstat: "cannot find",
  access: "cannot access",
  copyfile: "cannot copy",
};

/** An InputError for a Node file-system error that names a path; undefined for anything else. */
export function inputErrorFromSystemError(error: unknown): InputError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== "string" || typeof path !== "string" || !(code in REASONS)) return undefined;
  const action = (syscall && ACTIONS[syscall]) ?? `cannot ${syscall ?? "use"}`;
  return new InputError(`${action}: ${REASONS[code]} (${code})`, { file: path });
}

/**
 * The error for a file that could not be opened or written: a missing folder and a folder in
 * place of the file get their own advice; other file-system errors as above; anything else
 * (not a file-system error) is returned unchanged.
 */
export function unwritableFileError(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" && !existsSync(dirname(file)))
    return new InputError(`cannot write: the folder "${dirname(file)}" does not exist (create it first)`, { file });
  if (code === "ENOENT")
    return new InputError(`cannot write: files cannot be created in "${dirname(file)}" (ENOENT)`, { file });
  if (code === "EISDIR") return new InputError("cannot write: this is a folder; give a file name", { file });
  return inputErrorFromSystemError(error) ?? error;
}
