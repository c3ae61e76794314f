/**
 * Typed errors with stable codes. Every failure a user can cause is an `InputError` (exit 2),
 * a failed check of signed or hashed data is a `VerificationError` (exit 3), and anything else
 * is a bug (exit 1). Messages say what was wrong, where, and what is expected.
 */

/**
 * Stable error codes. Add new codes here, grouped by area in the name (`E_LEDGER_...`,
 * `E_MARKET_...`); never rename one. Messages name fields and values, never an edge's words
 * (command-line flags, HTTP routes): each edge maps codes to its own words in one place.
 */
export type ErrorCode =
  | "E_USAGE"
  | "E_INPUT"
  | "E_FILE"
  | "E_FILE_EXISTS"
  | "E_ORDER_INVALID"
  | "E_SCENARIO_INVALID"
  | "E_COMMUNITY_INVALID"
  | "E_DATA_INVALID"
  | "E_KEY_INVALID"
  | "E_KEY_FILE_EXISTS"
  | "E_SIGNATURE_INVALID"
  | "E_LEDGER_NOT_FOUND"
  | "E_LEDGER_TAMPERED"
  | "E_LEDGER_HEAD_MISSING"
  | "E_LEDGER_CHANGED"
  | "E_LEDGER_EMPTY"
  | "E_LEDGER_HEIGHT_OUT_OF_RANGE"
  | "E_LEDGER_TX_NOT_FOUND"
  | "E_LEDGER_INTERVAL_OVERLAP"
  | "E_LEDGER_OPERATOR_MISMATCH"
  | "E_LEDGER_ORDER_UNSIGNED"
  | "E_LEDGER_KEY_MISMATCH"
  | "E_LEDGER_ORDER_EXPIRED"
  | "E_LEDGER_NONCE_REPLAYED"
  | "E_LEDGER_INTERVAL_MISMATCH"
  | "E_MARKET_DUPLICATE_ID"
  | "E_MARKET_SIDE_CONFLICT"
  | "E_MARKET_INTERVAL_FULL"
  | "E_PROOF_MALFORMED"
  | "E_PROOF_INVALID"
  | "E_INFEASIBLE"
  | "E_NOT_CONVERGED"
  | "E_FORECAST_LEAKAGE"
  | "E_FORECAST_MLP_UNAVAILABLE"
  | "E_NONCE_REUSED"
  | "E_DOCUMENT_EXPIRED"
  | "E_GATE_CLOSED"
  | "E_INTERVAL_NOT_OPEN"
  | "E_PARTICIPANT_UNKNOWN"
  | "E_PARTICIPANT_SUSPENDED"
  | "E_KEY_NOT_BOUND"
  | "E_FORBIDDEN"
  | "E_NOT_FOUND"
  | "E_CONFLICT"
  | "E_RATE_LIMITED"
  | "E_TOO_LARGE"
  | "E_UNAVAILABLE"
  | "E_STORE_LOCKED"
  | "E_STORE_SCHEMA_NEWER"
  | "E_STORE_UNAVAILABLE"
  | "E_STORE_CONFLICT"
  | "E_BACKUP_INVALID"
  | "E_RESTORE_FORK"
  | "E_SERVER_UNREACHABLE"
  | "E_SERVER_RESPONSE_INVALID"
  | "E_INTERNAL";

export interface GridshareErrorOptions {
  /** Structured context, e.g. `{ path, expected, received }`. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Base class of every error gridshare throws on purpose. */
export class GridshareError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;

  constructor(code: ErrorCode, message: string, options: GridshareErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** Bad usage or bad input: the user can fix it. Exit code 2. */
export class InputError extends GridshareError {
  override readonly exitCode = 2;
}

/** Signed or hashed data failed a check (tampering, bad proof). Exit code 3. */
export class VerificationError extends GridshareError {
  override readonly exitCode = 3;
}

/** A broken invariant inside gridshare: a bug, never the user's fault. Exit code 1. */
export class InvariantError extends GridshareError {
  constructor(message: string, options: GridshareErrorOptions = {}) {
    super("E_INTERNAL", message, options);
  }
}

/** Throws an `InvariantError` when `condition` is false. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
