/** What verification gathers as it walks a ledger: its failures, and the signatures to check. */
import { VerificationError } from "../core/errors.js";

/** A failure found in block `height`. */
export function damaged(height: number, what: string): VerificationError {
  return new VerificationError("E_LEDGER_TAMPERED", `block ${height}: ${what}`, {
    details: { height },
  });
}

/** One signature to check. */
export interface SignatureTask {
  readonly publicKey: string;
  readonly message: Uint8Array;
  readonly signature: string;
}

/** A signature to check, with the block it is in and what it means when it fails. */
export interface PendingSignature {
  readonly height: number;
  readonly what: string;
  readonly task: SignatureTask;
}
