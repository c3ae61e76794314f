/**
 * The ledger queries, as the edges ask them: verify a ledger, export its trades, prove one
 * trade, prove that a later head extends an earlier one. Each reads the acknowledged blocks of
 * the ledger in `dir`; answers are typed records, in the ledger's own decimal units.
 */

import { parseInstant } from "../core/time.js";
import type { ConsistencyProof, InclusionProof } from "../ledger/proofs.js";
import {
  indexBlocks,
  proveConsistencyIn,
  proveTradeIn,
  type TradeExport,
  tradeRecords,
} from "../ledger/queries.js";
import type { SignatureChecker } from "../ledger/verify.js";
import { type LedgerVerification, verifyLedgerDir } from "../store/ledgerRead.js";
import { scanLedger } from "../store/ledgerStore.js";
import { parallelSignatureChecker } from "../store/signaturePool.js";

export interface VerifyLedgerOptions {
  readonly dir: string;
  /** The operator's public key (hex) that every head must be signed by. */
  readonly operator?: string;
  /** Format 2: the community's admin key (hex) that registry documents must be signed by. */
  readonly admin?: string;
  /** How signatures are checked (default: in parallel, on worker threads). */
  readonly checkSignatures?: SignatureChecker;
}

/** Everything a participant can check alone; throws `VerificationError` naming the first bad block. */
export async function verifyLedger(options: VerifyLedgerOptions): Promise<LedgerVerification> {
  return verifyLedgerDir(options.dir, {
    ...(options.operator === undefined ? {} : { operator: options.operator }),
    ...(options.admin === undefined ? {} : { admin: options.admin }),
    checkSignatures: options.checkSignatures ?? parallelSignatureChecker(),
  });
}

export interface ExportTradesOptions {
  readonly dir: string;
  /** Only trades where this participant bought or sold. */
  readonly participant?: string;
  /** Only trades at or after this instant, epoch ms. */
  readonly fromMs?: number;
  /** Only trades before this instant, epoch ms. */
  readonly toMs?: number;
}

/** The ledger's trades, in ledger order, each with its `data_quality`. */
export async function exportTrades(options: ExportTradesOptions): Promise<TradeExport[]> {
  const scan = await scanLedger(options.dir);
  const { participant, fromMs, toMs } = options;
  return tradeRecords(scan.acknowledged.map((r) => r.payload)).filter((r) => {
    if (participant !== undefined && r.buyer !== participant && r.seller !== participant)
      return false;
    const t = parseInstant(String(r.timestamp)) as number;
    return (fromMs === undefined || t >= fromMs) && (toMs === undefined || t < toMs);
  });
}

export interface ProveTradeOptions {
  readonly dir: string;
  readonly txId: string;
  /** The head to prove against (default: the latest). */
  readonly height?: number;
}

/** A self-contained inclusion proof of one trade. */
export async function proveTrade(options: ProveTradeOptions): Promise<InclusionProof> {
  const scan = await scanLedger(options.dir);
  return proveTradeIn(
    indexBlocks(scan.acknowledged.map((r) => r.payload)),
    options.txId,
    options.height,
  );
}

export interface ProveConsistencyOptions {
  readonly dir: string;
  readonly from: number;
  readonly to: number;
}

/** A consistency proof that the head at `to` extends the head at `from`. */
export async function proveConsistency(
  options: ProveConsistencyOptions,
): Promise<ConsistencyProof> {
  const scan = await scanLedger(options.dir);
  return proveConsistencyIn(
    indexBlocks(scan.acknowledged.map((r) => r.payload)),
    options.from,
    options.to,
  );
}
