/**
 * Clearing one interval's orders, and (with a ledger directory) recording it as the next block:
 * the one interval pipeline (ledger/clearInterval.ts) over the file store. Nothing is written
 * unless the interval is accepted: a new ledger, and its operator key, are created only then.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type ChainState, emptyChain, type SealedBlock } from "../ledger/block.js";
import {
  type ClearIntervalOptions,
  clearInterval,
  type IntervalOutcome,
  type LedgerPort,
} from "../ledger/clearInterval.js";
import type { Identity } from "../ledger/keys.js";
import { pathExists } from "../store/atomicFile.js";
import { newIdentity, readIdentity, writeIdentity } from "../store/keyFile.js";
import {
  LedgerWriter,
  ledgerExists,
  OPERATOR_KEY_FILE,
  type Recovery,
  viewLedger,
} from "../store/ledgerStore.js";

/** The pipeline's options (see {@link clearInterval}), with a ledger directory for its ledger. */
export interface ClearOrdersOptions
  extends Omit<ClearIntervalOptions, "ledger" | "signaturesChecked"> {
  /** Hears of what is worth a warning (an operator key file that others may read). */
  readonly onWarning?: (message: string) => void;
  /** Record the interval in the ledger in `dir` (created when missing). */
  readonly ledger?: {
    readonly dir: string;
    /** The operator's key file (default: `<dir>/operator.key`, created with a new ledger). */
    readonly operatorKeyPath?: string;
  };
}

/** What recording the interval did to the ledger. */
export interface RecordedBlock {
  readonly dir: string;
  readonly block: SealedBlock;
  /** The operator key file written with a new ledger, if one was. */
  readonly createdKeyPath: string | undefined;
  /** What opening the ledger repaired first. */
  readonly recovery: Recovery;
  readonly headHash: string;
}

export interface ClearOrdersResult {
  readonly outcome: IntervalOutcome;
  /** Set when a ledger was given and the interval was cleared. */
  readonly recorded: RecordedBlock | undefined;
}

/**
 * Blocks decided on in memory before the ledger on disk is touched, from what the ledger holds
 * (empty for a new one): a refused interval changes nothing on disk, recovery included.
 */
class StagedLedger implements LedgerPort {
  readonly blocks: { sealed: SealedBlock; nonces: readonly string[] }[] = [];

  constructor(
    public state: ChainState = emptyChain(),
    private readonly nonces: ReadonlySet<string> = new Set(),
  ) {}

  hasNonce(key: string): boolean {
    return this.nonces.has(key);
  }

  append(sealed: SealedBlock, nonces: readonly string[]): void {
    this.blocks.push({ sealed, nonces });
    this.state = sealed.next;
  }
}

/** Clears the interval; with `ledger`, appends it as a block, durable before this returns. */
export async function clearOrders(options: ClearOrdersOptions): Promise<ClearOrdersResult> {
  const pipeline = {
    interval: options.interval,
    tariff: options.tariff,
    mechanism: options.mechanism,
    ...(options.kPpm === undefined ? {} : { kPpm: options.kPpm }),
    items: options.items,
    requireSignatures: options.requireSignatures === true,
    onRejection: options.onRejection ?? "skip-order",
  };
  if (options.ledger === undefined)
    return { outcome: clearInterval(pipeline), recorded: undefined };

  const { dir, operatorKeyPath } = options.ledger;
  const isNew = !(await ledgerExists(dir));
  const defaultKey = join(dir, OPERATOR_KEY_FILE);
  let operator: Identity;
  let createdKeyPath: string | undefined;
  const warn = options.onWarning === undefined ? {} : { onWarning: options.onWarning };
  if (operatorKeyPath !== undefined) operator = await readIdentity(operatorKeyPath, warn);
  else if (!isNew || (await pathExists(defaultKey)))
    operator = await readIdentity(defaultKey, warn);
  else {
    operator = newIdentity();
    createdKeyPath = defaultKey;
  }

  // Decide on a staged ledger first: a refused interval leaves the disk as it was (a new
  // ledger's directory and key are not created, an old one's interrupted append not recovered).
  const view = isNew ? undefined : await viewLedger(dir);
  const staged = new StagedLedger(view?.state, view?.nonces);
  const outcome = clearInterval({ ...pipeline, ledger: { store: staged, operator } });
  if (outcome.status === "refused") return { outcome, recorded: undefined };
  if (isNew) await mkdir(dir, { recursive: true });
  if (createdKeyPath !== undefined) await writeIdentity(createdKeyPath, operator, { force: false });
  // The writer reuses the view's scan, and refuses if the files changed since.
  const writer = await LedgerWriter.open(dir, { create: isNew, ...(view ? { view } : {}) });
  try {
    for (const b of staged.blocks) writer.append(b.sealed, b.nonces);
    await writer.flush();
  } finally {
    await writer.close();
  }
  return {
    outcome,
    recorded: {
      dir,
      block: outcome.block as SealedBlock,
      createdKeyPath,
      recovery: writer.recovery,
      headHash: writer.state.headHash,
    },
  };
}
