/** Reading an input file named by the user, with one way of saying why it cannot be read. */
import { readFile } from "node:fs/promises";
import { InputError } from "../core/errors.js";

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory, not a file",
  ENOTDIR: "a part of the path is not a directory",
  EEXIST: "it already exists",
};

/** Why a file operation failed, in words. */
export function fileReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The text of the file at `path`; `InputError` (E_FILE) naming it (as `what`, e.g. "scenario",
 * when given) and saying why, when it cannot be read.
 */
export async function readInputFile(path: string, what?: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(
      "E_FILE",
      `cannot read ${what === undefined ? "" : `${what} `}${path}: ${fileReason(error)}`,
      { details: { path }, cause: error },
    );
  }
}

/**
 * The text of a file a document names in `field` (as `shown`, resolved to `path`);
 * `InputError` (E_SCENARIO_INVALID, since the document is what is wrong) when it cannot be read.
 */
export async function readInputFileFor(
  field: string,
  shown: string,
  path: string,
): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(
      "E_SCENARIO_INVALID",
      `${field}: cannot read ${shown} (resolved to ${path}): ${fileReason(error)}`,
      { details: { path }, cause: error },
    );
  }
}
