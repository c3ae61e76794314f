/**
 * Questions asked of a ledger's acknowledged blocks: its trades, an inclusion proof of one, a
 * consistency proof between two heads. Pure: the blocks come in as their stored payloads, from
 * whatever store holds them. Expected failures are `InputError`s whose `details.field` names the
 * argument (`tx`, `height`, `from`, `to`), so each edge can say it in its own words.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import type { AnyHead } from "./block.js";
import {
  consistencyPath,
  type Hash,
  inclusionPath,
  leafHash,
  type SubtreeCache,
} from "./merkle.js";
import {
  type ConsistencyProof,
  consistencyProof,
  type InclusionProof,
  inclusionProof,
} from "./proofs.js";
import { parsePayload } from "./replay.js";

/** Where an entry is: the block it is in and its leaf index in the whole tree. */
export interface EntryPlace {
  readonly height: number;
  readonly leafIndex: number;
}

export interface LedgerIndex {
  readonly leaves: readonly Hash[];
  readonly heads: readonly AnyHead[];
  /** Each trade entry's place, by its transaction id. */
  readonly trades: ReadonlyMap<string, EntryPlace>;
  /** The entry at `place`, read from its block. */
  entryAt(place: EntryPlace): Record<string, unknown>;
  /** Complete subtrees' hashes, kept between proofs (merkle.ts). */
  readonly subtrees?: SubtreeCache;
}

/**
 * An index that grows block by block, as a live ledger does. It keeps the leaf hashes, the heads
 * and where each trade is, never the entries: those are read from `blockAt` when a proof needs
 * one.
 */
export class GrowingIndex implements LedgerIndex {
  readonly leaves: Hash[] = [];
  readonly heads: AnyHead[] = [];
  readonly trades = new Map<string, EntryPlace>();
  readonly subtrees: SubtreeCache = new Map();
  /** Payloads given so far, those that did not parse included. */
  seen = 0;

  constructor(private readonly blockAt: (height: number) => string | undefined) {}

  /** Adds the next block (its stored payload); one that does not parse is skipped. */
  add(payload: string): void {
    this.seen++;
    const p = parsePayload(payload);
    if (p === undefined) return;
    this.heads.push(p.head);
    for (const entry of p.entries) {
      const place = { height: p.head.height, leafIndex: this.leaves.length };
      this.leaves.push(leafHash(canonicalize(entry)));
      const tx =
        entry.type === "trade"
          ? (entry.trade as { transaction_id?: string })?.transaction_id
          : undefined;
      if (tx !== undefined && !this.trades.has(tx)) this.trades.set(tx, place);
    }
  }

  entryAt(place: EntryPlace): Record<string, unknown> {
    const payload = this.blockAt(place.height);
    const p = payload === undefined ? undefined : parsePayload(payload);
    const entry = p?.entries[place.leafIndex - p.head.first_leaf];
    if (entry === undefined)
      throw new Error(`unreachable: no entry ${place.leafIndex} in block ${place.height}`);
    return entry;
  }
}

/** Every entry of the blocks with its leaf index, the leaf hashes and the heads. */
export function indexBlocks(payloads: readonly string[]): GrowingIndex {
  const index = new GrowingIndex((height) => payloads[height]);
  for (const payload of payloads) index.add(payload);
  return index;
}

/** A recorded trade, as exported: the trade's fields plus `data_quality`, keys sorted. */
export type TradeExport = Record<string, unknown>;

/**
 * Trade records, in ledger order, each with its `data_quality`: "estimated" when the seller's or
 * the buyer's order in that block was placed on an estimated meter reading, else "measured".
 */
export function tradeRecords(payloads: readonly string[]): TradeExport[] {
  const out: TradeExport[] = [];
  for (const payload of payloads) {
    const p = parsePayload(payload);
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

function headAt(heads: readonly AnyHead[], height: number, field: string): AnyHead {
  if (heads.length === 0)
    throw new InputError("E_LEDGER_EMPTY", "the ledger has no blocks yet", { details: { field } });
  const h = heads[height];
  if (h === undefined)
    throw new InputError(
      "E_LEDGER_HEIGHT_OUT_OF_RANGE",
      `${field}: expected a height from 0 to ${heads.length - 1}, received ${height}`,
      { details: { field, expected: `0 to ${heads.length - 1}`, received: height } },
    );
  return h;
}

/** An inclusion proof of the trade `txId`, against the head at `height` (the latest by default). */
export function proveTradeIn(index: LedgerIndex, txId: string, height?: number): InclusionProof {
  const { leaves, heads } = index;
  const found = index.trades.get(txId);
  if (found === undefined)
    throw new InputError(
      "E_LEDGER_TX_NOT_FOUND",
      `tx: no trade with transaction_id ${JSON.stringify(txId)} in the ledger`,
      { details: { field: "tx", received: txId } },
    );
  const head = headAt(heads, height ?? heads.length - 1, "height");
  if (head.height < found.height) {
    throw new InputError(
      "E_LEDGER_HEIGHT_OUT_OF_RANGE",
      `height: the trade is in block ${found.height}; prove it against head ${found.height} or later`,
      { details: { field: "height", expected: `${found.height} or later`, received: head.height } },
    );
  }
  return inclusionProof(
    index.entryAt(found),
    found.leafIndex,
    inclusionPath(leaves, found.leafIndex, head.tree_size, index.subtrees),
    head,
  );
}

/** A consistency proof between the heads at heights `from` and `to`. */
export function proveConsistencyIn(index: LedgerIndex, from: number, to: number): ConsistencyProof {
  const first = headAt(index.heads, from, "from");
  const second = headAt(index.heads, to, "to");
  if (from > to)
    throw new InputError(
      "E_LEDGER_HEIGHT_OUT_OF_RANGE",
      `from: expected a height no greater than the later height (${to}), received ${from}`,
      { details: { field: "from", expected: `${to} or less`, received: from } },
    );
  return consistencyProof(
    first,
    second,
    consistencyPath(index.leaves, first.tree_size, second.tree_size, index.subtrees),
  );
}
