/**
 * The ledger as the live platform appends to it: the pipeline's port, making appends durable,
 * and the blocks it has made durable.
 */
import type { AnyHead } from "../ledger/block.js";
import type { LedgerPort } from "../ledger/clearInterval.js";

/** The ledger as gate closure uses it: the pipeline's port, and making appends durable. */
export interface DurableLedger extends LedgerPort {
  flush(): Promise<void>;
  /** The payload (canonical JSON) of the block appended last, once one has been. */
  readonly lastPayload: string | undefined;
  /** The interval start of each block, by height (null for a registry block). */
  readonly blockIntervals: readonly (number | null)[];
}

/** A block the log has made durable. */
export interface DurableBlock {
  readonly height: number;
  readonly head: AnyHead;
  /** The block as the log holds it (canonical JSON). */
  readonly payload: string;
}
