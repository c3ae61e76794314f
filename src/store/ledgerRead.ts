/** Verifying a stored ledger: its acknowledged blocks, and what lies after them. */
import { type SignatureChecker, type VerifyReport, verifyBlocks } from "../ledger/verify.js";
import { type LedgerScan, scanLedger } from "./ledgerStore.js";

export interface LedgerVerification extends VerifyReport {
  /** What lies after the acknowledged part (an interrupted append), in words; empty when clean. */
  readonly notes: string[];
}

export interface VerifyLedgerOptions {
  readonly operator?: string;
  /** Format 2: the community's admin key registry documents must be signed by. */
  readonly admin?: string;
  readonly checkSignatures?: SignatureChecker;
}

/** Verifies the acknowledged part of the ledger in `dir`. */
export async function verifyLedgerDir(
  dir: string,
  options: VerifyLedgerOptions,
): Promise<LedgerVerification> {
  return verifyScan(await scanLedger(dir), options);
}

/** Verifies a scanned ledger. */
export async function verifyScan(
  scan: LedgerScan,
  options: VerifyLedgerOptions,
): Promise<LedgerVerification> {
  const report = await verifyBlocks(
    scan.acknowledged.map((r) => r.payload),
    {
      ...(options.operator === undefined ? {} : { operator: options.operator }),
      ...(options.admin === undefined ? {} : { admin: options.admin }),
      ...(options.checkSignatures ? { checkSignatures: options.checkSignatures } : {}),
    },
  );
  const notes: string[] = [];
  if (scan.pending.length > 0) {
    notes.push(
      `${scan.pending.length} complete block(s) after the published head: an append that was interrupted before publishing; the next append publishes them`,
    );
  }
  if (scan.tornTail) {
    notes.push(
      `${scan.tornTail.bytes} bytes of a torn, unacknowledged append at offset ${scan.tornTail.offset}; the next append drops them`,
    );
  }
  return { ...report, notes };
}
