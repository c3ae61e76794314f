/** Reading an input file named by the user, with one message when it cannot be read. */
import { readFile } from "node:fs/promises";
import { InputError } from "../core/errors.js";

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "it is a folder, not a file";
  return "no such file";
}

/** The text of the file at `path`; `InputError` (E_FILE) naming it when it cannot be read. */
export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InputError("E_FILE", `cannot read ${path}: ${reason(error)}`, {
      details: { path },
    });
  }
}
