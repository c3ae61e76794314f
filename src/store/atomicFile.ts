import { rename, rm, stat, writeFile } from "node:fs/promises";

/** Writes a file whole or not at all: to a `.partial` neighbour first, then renamed over. */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const tmp = `${path}.partial`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (error) {
    // Leave nothing half-written, and say which file could not be written (a full disk's
    // error names no path).
    await rm(tmp, { force: true }).catch(() => undefined);
    const e = error as NodeJS.ErrnoException;
    if (typeof e.code === "string") e.path = path;
    throw error;
  }
}

/** True when something (a file or a folder) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
