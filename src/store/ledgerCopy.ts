/**
 * A copy of a ledger written from another's bytes (a server's log and head pointer): into an
 * empty directory, each file whole or not at all and fsynced, the log before HEAD, so that HEAD
 * never names bytes the directory does not hold. Verifying the copy is the caller's.
 */
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { fsyncDir, HEAD_FILE, type HeadPointer, LOG_FILE, pointerText } from "./ledgerStore.js";

/**
 * Makes `dir` ready for a copy: created when absent; refused when it holds anything, unless
 * `force` (then its ledger files are replaced and nothing else is touched).
 */
export async function prepareCopyDir(dir: string, force: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  const held = await readdir(dir);
  if (held.length > 0 && !force)
    throw new InputError(
      "E_FILE_EXISTS",
      `${dir} is not empty (it holds ${held.length} entr${held.length === 1 ? "y" : "ies"}); a ledger copy goes into an empty directory`,
      { details: { dir } },
    );
}

/** Writes `log` as the ledger log and `pointer` as HEAD in `dir`, durably. */
export async function writeLedgerCopy(
  dir: string,
  log: Uint8Array,
  pointer: HeadPointer,
): Promise<void> {
  await writeDurably(join(dir, LOG_FILE), log);
  await writeDurably(join(dir, HEAD_FILE), pointerText(pointer));
  fsyncDir(dir);
}

/** Writes a neighbour, fsyncs it and renames it over `path`. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.partial`;
  try {
    const fh = await open(tmp, "w", 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}
