/**
 * Repairing a damaged ledger: first say what it holds and what a repair would drop; drop only
 * when asked, naming the last block to keep. Recovery on open never drops a complete block;
 * this is the one place that may.
 */
import {
  diagnoseLedger,
  type LedgerDiagnosis,
  type RepairResult,
  truncateLedgerAfter,
} from "../store/ledgerStore.js";

export type { LedgerDiagnosis, RepairResult };

/** What the ledger in `dir` holds: its HEAD, its complete records and how many form a chain. */
export function inspectLedger(options: { readonly dir: string }): Promise<LedgerDiagnosis> {
  return diagnoseLedger(options.dir);
}

export interface RepairLedgerOptions {
  readonly dir: string;
  /** Keep blocks 0 to this height; drop the rest of the log. */
  readonly truncateAfter: number;
}

/** Keeps blocks 0 to `truncateAfter`, drops the rest, and publishes HEAD for the last kept. */
export function repairLedger(options: RepairLedgerOptions): Promise<RepairResult> {
  return truncateLedgerAfter(options.dir, options.truncateAfter);
}
