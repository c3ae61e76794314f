/**
 * One server per data directory: a lock file holding the owner's process id. A lock left by a
 * process that no longer runs (killed, crashed) is taken over; one held by a live process is
 * refused, so two servers never open the same embedded database or append to the same log.
 */
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../core/errors.js";

export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

const LOCK_FILE = "gridshare.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === "EPERM";
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx");
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
    await handle.close();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return false;
    throw error;
  }
}

/** Takes the lock of `dir` (created if missing), or throws `E_STORE_LOCKED` naming the holder. */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path)) {
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    }
    const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isSafeInteger(holder) && holder !== process.pid && alive(holder))
      throw new InputError(
        "E_STORE_LOCKED",
        `${dir} is in use by process ${holder} (another gridshare server); stop it or choose another --data-dir`,
        { details: { path, pid: holder } },
      );
    if (holder === process.pid)
      throw new InputError("E_STORE_LOCKED", `${dir} is already open in this process`, {
        details: { path, pid: holder },
      });
    // Stale: its owner is gone. Remove it and try again (another process may win the race).
    await rm(path, { force: true });
  }
  throw new InputError("E_STORE_LOCKED", `${dir}: could not take the lock ${path}`, {
    details: { path },
  });
}
