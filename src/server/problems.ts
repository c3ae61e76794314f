/**
 * Errors as the API says them: RFC 9457 problem details (`application/problem+json`) with the
 * stable code, the HTTP status that code maps to, the field, what was expected and what came.
 * One table maps codes to statuses; an error without a code of ours is a 500 that shows nothing.
 */
import { type ErrorCode, GridshareError } from "../core/errors.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  E_INPUT: 422,
  E_USAGE: 400,
  E_ORDER_INVALID: 422,
  E_COMMUNITY_INVALID: 422,
  E_DOCUMENT_EXPIRED: 422,
  E_LEDGER_ORDER_EXPIRED: 422,
  E_LEDGER_KEY_MISMATCH: 422,
  E_LEDGER_INTERVAL_MISMATCH: 422,
  E_SIGNATURE_INVALID: 401,
  E_FORBIDDEN: 403,
  E_PARTICIPANT_UNKNOWN: 403,
  E_PARTICIPANT_SUSPENDED: 403,
  E_KEY_NOT_BOUND: 403,
  E_NOT_FOUND: 404,
  E_LEDGER_TX_NOT_FOUND: 404,
  E_LEDGER_HEIGHT_OUT_OF_RANGE: 404,
  E_NONCE_REUSED: 409,
  E_GATE_CLOSED: 409,
  E_INTERVAL_NOT_OPEN: 409,
  E_MARKET_DUPLICATE_ID: 409,
  E_MARKET_SIDE_CONFLICT: 409,
  E_CONFLICT: 409,
  E_STORE_CONFLICT: 409,
  E_TOO_LARGE: 413,
  E_RATE_LIMITED: 429,
  E_UNAVAILABLE: 503,
  E_STORE_UNAVAILABLE: 503,
};

const TITLES: Partial<Record<ErrorCode, string>> = {
  E_INPUT: "Invalid request",
  E_ORDER_INVALID: "Invalid order",
  E_SIGNATURE_INVALID: "Signature does not verify",
  E_FORBIDDEN: "Not allowed",
  E_PARTICIPANT_UNKNOWN: "Unknown participant",
  E_PARTICIPANT_SUSPENDED: "Participant suspended",
  E_KEY_NOT_BOUND: "Key not bound",
  E_NOT_FOUND: "Not found",
  E_NONCE_REUSED: "Nonce already used",
  E_GATE_CLOSED: "Gate closed",
  E_INTERVAL_NOT_OPEN: "Interval not open",
  E_TOO_LARGE: "Request too large",
  E_RATE_LIMITED: "Too many requests",
  E_UNAVAILABLE: "Unavailable",
};

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance?: string;
  readonly field?: string;
  readonly expected?: unknown;
  readonly received?: unknown;
}

/** The HTTP status of a code (500 for codes that mean a bug). */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** The problem document of an error; anything that is not ours says only that it failed. */
export function problemOf(error: unknown, instance?: string): Problem {
  const status = error instanceof GridshareError ? statusOf(error.code) : 500;
  if (error instanceof GridshareError && status !== 500) {
    const d = error.details ?? {};
    return {
      type: `urn:gridshare:problem:${error.code}`,
      title: TITLES[error.code] ?? error.code,
      status,
      detail: error.message,
      code: error.code,
      ...(instance === undefined ? {} : { instance }),
      ...(typeof d.field === "string" ? { field: d.field } : {}),
      ...("expected" in d ? { expected: d.expected } : {}),
      ...("received" in d ? { received: d.received } : {}),
    };
  }
  return {
    type: "urn:gridshare:problem:E_INTERNAL",
    title: "Internal error",
    status: 500,
    detail: "the server failed to handle the request; it is logged",
    code: "E_INTERNAL",
    ...(instance === undefined ? {} : { instance }),
  };
}
