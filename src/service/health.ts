/**
 * Whether the platform can keep what it writes. A write or fsync that failed for want of disk
 * or because the device failed (ENOSPC, EIO, EDQUOT, EROFS; PostgreSQL's disk_full, io_error,
 * data_corrupted) is remembered: from then on the platform acknowledges nothing more (writes
 * are refused with 503, `/readyz` is false, gates are not closed) until it is restarted on a
 * sound disk, rather than answering for what it may not hold.
 */
import { GridshareError } from "../core/errors.js";
import type { SqlDatabase, SqlRow } from "../store/sql/database.js";

const ERRNO_FAULTS = new Set(["ENOSPC", "EIO", "EDQUOT", "EROFS"]);
const SQLSTATE_FAULTS = new Set(["53100", "58030", "XX001", "XX002"]);

/** True when `error` (or its cause) says the storage cannot keep writes. */
export function isStorageFault(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === "string" && (ERRNO_FAULTS.has(e.code) || SQLSTATE_FAULTS.has(e.code)))
      return true;
    const details = e.details as { sqlstate?: unknown } | undefined;
    if (typeof details?.sqlstate === "string" && SQLSTATE_FAULTS.has(details.sqlstate)) return true;
    e = e.cause as Record<string, unknown> | undefined;
  }
  return false;
}

/** `db`, telling `onFault` of the first storage fault any statement or transaction meets. */
export function watchStorage(db: SqlDatabase, onFault: (error: unknown) => void): SqlDatabase {
  const seen = (error: unknown): never => {
    if (isStorageFault(error)) onFault(error);
    throw error;
  };
  return {
    kind: db.kind,
    query: <R extends SqlRow = SqlRow>(text: string, params?: readonly unknown[]) =>
      db.query<R>(text, params).catch(seen),
    transaction: (work) => db.transaction(work).catch(seen),
    holdWriter: (community) => db.holdWriter(community),
    close: () => db.close(),
  };
}

/** The refusal while the platform is unhealthy. */
export function unhealthy(reason: string, cause?: unknown): GridshareError {
  return new GridshareError(
    "E_UNAVAILABLE",
    `${reason}: the server takes no writes until it is restarted on sound storage`,
    { cause },
  );
}
