/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) in a directory, so a fresh
 * machine needs no server. PGlite is one connection: two transactions interleaved on it would
 * share one transaction, and a rollback in one would discard the other's acknowledged writes. So
 * every statement and every transaction here takes its turn in one queue.
 *
 * Durability: PGlite's fsync does nothing, so a committed row survives a killed process but not a
 * power cut. PostgreSQL is the store for a real community.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import { lockDataDir } from "../dataDirLock.js";
import {
  parseInt8,
  type SqlDatabase,
  type SqlRow,
  type SqlSession,
  storeError,
} from "./database.js";

/** Runs tasks one at a time, in the order they were queued. */
class TurnQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

type Queryable = Pick<PGlite, "query">;

function sessionOf(db: Queryable): SqlSession {
  return {
    async query<R extends SqlRow>(text: string, params: readonly unknown[] = []) {
      try {
        return (await db.query<R>(text, params as unknown[])).rows;
      } catch (error) {
        throw storeError(error, text);
      }
    },
  };
}

export interface PgliteOptions {
  /** The data directory; the database lives in its `pglite/` folder. In memory when undefined. */
  readonly dataDir?: string | undefined;
}

/** Opens (creating when new) the embedded database, holding the data directory's lock. */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlDatabase> {
  const lock = options.dataDir === undefined ? undefined : await lockDataDir(options.dataDir);
  let db: PGlite;
  try {
    const path = options.dataDir === undefined ? undefined : join(options.dataDir, "pglite");
    if (path !== undefined) await mkdir(path, { recursive: true });
    db = await PGlite.create(path, { parsers: { [types.INT8]: (v: string) => parseInt8(v) } });
  } catch (error) {
    await lock?.release();
    throw storeError(error, "open PGlite");
  }
  const queue = new TurnQueue();
  const direct = sessionOf(db);
  let closed = false;
  return {
    kind: "pglite",
    query: (text, params) => queue.run(() => direct.query(text, params)),
    // Errors of `work` come back as they were thrown; the driver's own are already mapped.
    transaction: (work) => queue.run(() => db.transaction((tx) => work(sessionOf(tx)))),
    // One process opens the directory (its lock), so it is the one writer already.
    holdWriter: async () => async () => undefined,
    close: () =>
      queue.run(async () => {
        if (closed) return;
        closed = true;
        await db.close();
        await lock?.release();
      }),
  };
}
