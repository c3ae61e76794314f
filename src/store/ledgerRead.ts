/** Reading a stored ledger for verification, exports and proofs. */
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import type { BlockHead } from "../ledger/block.js";
import { consistencyPath, type Hash, inclusionPath, leafHash } from "../ledger/merkle.js";
import {
  type ConsistencyProof,
  consistencyProof,
  type InclusionProof,
  inclusionProof,
} from "../ledger/proofs.js";
import { parsePayload } from "../ledger/replay.js";
import { type SignatureChecker, type VerifyReport, verifyBlocks } from "../ledger/verify.js";
import { type LedgerScan, scanLedger } from "./ledgerStore.js";

export interface LedgerVerification extends VerifyReport {
  /** What lies after the acknowledged part (an interrupted append), in words; empty when clean. */
  readonly notes: string[];
}

export interface VerifyLedgerOptions {
  readonly operator?: string;
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

interface IndexedEntry {
  readonly height: number;
  readonly leafIndex: number;
  readonly entry: Record<string, unknown>;
}

/** Every acknowledged entry with its leaf index, and the leaf hashes. */
export function indexLedger(scan: LedgerScan): {
  entries: IndexedEntry[];
  leaves: Hash[];
  heads: BlockHead[];
} {
  const entries: IndexedEntry[] = [];
  const leaves: Hash[] = [];
  const heads: BlockHead[] = [];
  for (const record of scan.acknowledged) {
    const p = parsePayload(record.payload);
    if (p === undefined) continue;
    heads.push(p.head);
    for (const entry of p.entries) {
      entries.push({ height: p.head.height, leafIndex: leaves.length, entry });
      leaves.push(leafHash(canonicalize(entry)));
    }
  }
  return { entries, leaves, heads };
}

/**
 * Trade records, in ledger order, each with its `data_quality`: "estimated" when the seller's or
 * the buyer's order in that block was placed on an estimated meter reading, else "measured".
 */
export function tradeRecords(scan: LedgerScan): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const record of scan.acknowledged) {
    const p = parsePayload(record.payload);
    if (p === undefined) continue;
    const estimated = new Set<string>();
    for (const e of p.entries) {
      if (e.type !== "order") continue;
      const order = (e.order ?? (e.envelope as { order?: unknown } | undefined)?.order) as
        | { participant?: string; data_quality?: string }
        | undefined;
      if (order?.data_quality === "estimated" && order.participant !== undefined)
        estimated.add(order.participant);
    }
    for (const e of p.entries)
      if (e.type === "trade") {
        const t = e.trade as Record<string, unknown>;
        const onEstimate = estimated.has(t.seller as string) || estimated.has(t.buyer as string);
        // Keys stay in sorted order, like the recorded trade's.
        const { buyer, ...rest } = t;
        out.push({ buyer, data_quality: onEstimate ? "estimated" : "measured", ...rest });
      }
  }
  return out;
}

function headAt(
  heads: readonly BlockHead[],
  height: number | undefined,
  dir: string,
  flag: string,
): BlockHead {
  if (heads.length === 0) throw new InputError("E_INPUT", `${dir}: the ledger has no blocks yet`);
  const h = height === undefined ? heads[heads.length - 1] : heads[height];
  if (h === undefined)
    throw new InputError(
      "E_INPUT",
      `${flag}: expected a height from 0 to ${heads.length - 1}, received ${height}`,
    );
  return h;
}

/** An inclusion proof of the trade `txId`, against the head at `height` (the latest by default). */
export async function proveTrade(
  dir: string,
  txId: string,
  height?: number,
): Promise<InclusionProof> {
  const scan = await scanLedger(dir);
  const { entries, leaves, heads } = indexLedger(scan);
  const found = entries.find(
    (e) =>
      e.entry.type === "trade" &&
      (e.entry.trade as { transaction_id?: string })?.transaction_id === txId,
  );
  if (found === undefined)
    throw new InputError(
      "E_INPUT",
      `--tx: no trade with transaction_id ${JSON.stringify(txId)} in ${dir}`,
    );
  const head = headAt(heads, height ?? heads.length - 1, dir, "--height");
  if (head.height < found.height) {
    throw new InputError(
      "E_INPUT",
      `--height: the trade is in block ${found.height}; prove it against head ${found.height} or later`,
    );
  }
  return inclusionProof(
    found.entry,
    found.leafIndex,
    inclusionPath(leaves, found.leafIndex, head.tree_size),
    head,
  );
}

/** A consistency proof between the heads at two heights. */
export async function proveConsistency(
  dir: string,
  from: number,
  to: number,
): Promise<ConsistencyProof> {
  const scan = await scanLedger(dir);
  const { leaves, heads } = indexLedger(scan);
  const first = headAt(heads, from, dir, "--from");
  const second = headAt(heads, to, dir, "--to");
  if (from > to)
    throw new InputError("E_USAGE", `--from ${from} must not be greater than --to ${to}`);
  return consistencyProof(
    first,
    second,
    consistencyPath(leaves, first.tree_size, second.tree_size),
  );
}
