/**
 * The database port of the live platform: parameterised SQL, transactions, and nothing else, so
 * the same statements run on the embedded PGlite and on a PostgreSQL server. The SQL stays within
 * PostgreSQL 15. Integers come back as numbers (bigint columns hold Wh and micro-units, always
 * safe integers in this product); a value that is not one is a bug, never rounded.
 */
import { GridshareError, InvariantError } from "../../core/errors.js";

export type SqlRow = Readonly<Record<string, unknown>>;

/** Where statements run: the database itself, or one open transaction. */
export interface SqlSession {
  query<R extends SqlRow = SqlRow>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface SqlDatabase extends SqlSession {
  readonly kind: "pglite" | "postgres";
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (and
   * the error rethrown). Inside, use only the session it is given: on PGlite, a statement on the
   * database itself waits for the transaction to end.
   */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Makes this process the one writer of `community` in the database, until the returned
   * release is called or the process ends (E_STORE_LOCKED when another holds it). On PostgreSQL
   * a session advisory lock on a connection of its own; the embedded database has one process
   * by construction (the data directory's lock).
   */
  holdWriter(community: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** PostgreSQL's type id of int8 (bigint). */
export const INT8_OID = 20;

/** An int8 column's text as a number; anything beyond 2^53 would lose Wh or micro-units. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new InvariantError(`database returned ${text} in a bigint column: not a safe integer`);
  return n;
}

/** SQLSTATE classes the platform reacts to, mapped to its own codes. */
const CONFLICT_STATES = new Set(["23505", "40001", "40P01"]);

/**
 * A driver error as a `GridshareError`: unique violations and serialisation failures are
 * conflicts (`E_STORE_CONFLICT`, with the SQLSTATE and constraint), anything else is the store
 * being unavailable or a bug in a statement, kept as the cause.
 */
export function storeError(error: unknown, statement: string): GridshareError {
  if (error instanceof GridshareError) return error;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  const state = typeof e.code === "string" ? e.code : undefined;
  const what = statement.trim().split(/\s+/).slice(0, 3).join(" ");
  if (state !== undefined && CONFLICT_STATES.has(state))
    return new GridshareError("E_STORE_CONFLICT", `${what}: ${String(e.message)}`, {
      details: { sqlstate: state, constraint: e.constraint ?? null },
      cause: error,
    });
  return new GridshareError("E_STORE_UNAVAILABLE", `${what}: ${String(e.message ?? error)}`, {
    details: { sqlstate: state ?? null },
    cause: error,
  });
}
