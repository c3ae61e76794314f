/**
 * Blocks. Format 1: one per market interval. A block's entries are its orders (signed envelopes, or plain
 * orders the operator attests), its trades, each participant's settlement and the interval's
 * summary; each entry is one leaf of the ledger's single Merkle tree. The block head is a signed
 * tree head: height, interval, the market rules, the tree size and root after the block, the
 * previous head's hash, the operator's public key, and the operator's signature over the head's
 * canonical JSON (prefixed by "gridshare/head/v1\n").
 *
 * Format 2 (the live platform) names each block's kind in its head: a `clearing` block is format
 * 1's block with each order's `received_seq` (the market re-runs in that order) and the
 * interval's cancels; a `registry` block records participant documents (registry.ts). One chain
 * and one Merkle tree run across both kinds. A format-2 head may hand the signing of blocks over
 * to a new operator key (`next_operator`, with that key's own signature on the head): the head
 * is signed by the old key, and every later head by the new one.
 *
 * Everything here is pure: the same chain state and inputs give byte-identical blocks.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant, type Interval, intervalEndMs } from "../core/time.js";
import { fromMicro, kToPpm, ppmToK, toMicro } from "../core/units.js";
import { checkOrders, clearMarket } from "../market/clearMarket.js";
import { findMechanism } from "../market/mechanisms.js";
import { type OrderDocument, orderFromDocument } from "../market/orderDocument.js";
import { participantRecord, summaryRecord, tradeRecord } from "../market/records.js";
import type { SettledInterval } from "../market/settle.js";
import type { GridTariff, Mechanism, MechanismName } from "../market/types.js";
import {
  attestedOrderEntry,
  cancelEntry,
  settlementEntry,
  signedOrderEntry,
  summaryEntry,
  tradeEntry,
} from "./entries.js";
import type { SignedOrder } from "./envelope.js";
import { type Identity, signMessage } from "./keys.js";
import { type Hash, leafHash, MerkleFrontier } from "./merkle.js";
import type { SignedDocument } from "./signedDocument.js";

/** On-disk and wire format name and version of blocks and heads. */
export const LEDGER_FORMAT = "gridshare-ledger/1";
/** Format 2: block kinds, receive order, cancels and registry documents. */
export const LEDGER_FORMAT_2 = "gridshare-ledger/2";
export const HEAD_CONTEXT = "gridshare/head/v1\n";
/** What the next operator key signs on the head that hands over to it. */
export const HANDOVER_CONTEXT = "gridshare/handover/v1\n";
export const GENESIS_PREV_HASH = "0".repeat(64);

/** The market rules of a block, as recorded in its head. */
export interface MarketRules {
  readonly mechanism: MechanismName;
  /** `{ k }` for mechanisms with k-pricing, `{}` otherwise. */
  readonly params: { readonly k?: number };
  readonly grid: {
    readonly import_price_per_kwh: number;
    readonly export_price_per_kwh: number;
    readonly network_fee_per_kwh: number;
  };
}

/** The head of a clearing block (every format-1 block is one). */
export interface BlockHead {
  readonly format: string;
  /** Format 2 only. */
  readonly kind?: "clearing";
  readonly height: number;
  readonly interval: { readonly start: string; readonly minutes: number };
  readonly market: MarketRules;
  /** Index of the block's first leaf in the whole tree. */
  readonly first_leaf: number;
  /** Tree size after the block. */
  readonly tree_size: number;
  /** Merkle root after the block, hex. */
  readonly root: string;
  /** Hash of the previous block's head (64 zeros for the first block). */
  readonly prev_head_hash: string;
  /** The operator's public key, hex. */
  readonly operator: string;
  /** Format 2: the key that signs the blocks after this one (a handover). */
  readonly next_operator?: string;
  /** Format 2: the next key's signature over the head without the two signatures (its proof of possession). */
  readonly next_operator_signature?: string;
  /** The operator's Ed25519 signature over the head without this field, hex. */
  readonly signature: string;
}

/** The head of a format-2 registry block: no interval, the admin key its documents are signed by. */
export interface RegistryHead {
  readonly format: typeof LEDGER_FORMAT_2;
  readonly kind: "registry";
  readonly height: number;
  readonly admin: string;
  readonly first_leaf: number;
  readonly tree_size: number;
  readonly root: string;
  readonly prev_head_hash: string;
  readonly operator: string;
  readonly next_operator?: string;
  readonly next_operator_signature?: string;
  readonly signature: string;
}

export type AnyHead = BlockHead | RegistryHead;

export function isRegistryHead(head: AnyHead): head is RegistryHead {
  return head.kind === "registry";
}

/** The start of a clearing block's interval (ISO), undefined for a registry block. */
export function intervalStartOf(head: AnyHead | undefined): string | undefined {
  return head === undefined || isRegistryHead(head) ? undefined : head.interval.start;
}

/**
 * One market order as recorded: signed by its participant, or attested by the operator. In
 * format 2 each carries the sequence number the server received it under.
 */
export type OrderItem =
  | { readonly kind: "signed"; readonly envelope: SignedOrder; readonly receivedSeq?: number }
  | { readonly kind: "attested"; readonly order: OrderDocument; readonly receivedSeq?: number };

/** What a format-2 clearing block adds to format 1's: each order's receive stamp, the cancels. */
export interface ClearingV2 {
  readonly cancels: readonly SignedDocument[];
}

export function orderOfItem(item: OrderItem): OrderDocument {
  return item.kind === "signed" ? item.envelope.order : item.order;
}

export interface Block {
  readonly head: AnyHead;
  /** Each entry's canonical JSON: the leaf data. */
  readonly entries: readonly string[];
}

/** What a ledger has committed to so far: enough to append the next block. */
export interface ChainState {
  /** Height of the last block, -1 for an empty ledger. */
  readonly height: number;
  readonly frontier: MerkleFrontier;
  readonly headHash: string;
  /** End of the last block's interval, epoch ms (-Infinity when empty). */
  readonly lastIntervalEndMs: number;
  /**
   * The operator key the next block must be signed by: the first block's, or the key the last
   * handover named.
   */
  readonly operator: string | undefined;
}

export function emptyChain(): ChainState {
  return {
    height: -1,
    frontier: new MerkleFrontier(),
    headHash: GENESIS_PREV_HASH,
    lastIntervalEndMs: Number.NEGATIVE_INFINITY,
    operator: undefined,
  };
}

/** Market rules from a mechanism, k (ppm or null) and the tariff. */
export function marketRules(
  mechanism: Mechanism,
  kPpm: number | null,
  grid: GridTariff,
): MarketRules {
  return {
    mechanism: mechanism.name,
    params: kPpm === null ? {} : { k: ppmToK(kPpm) },
    grid: {
      import_price_per_kwh: fromMicro(grid.importPriceMicro),
      export_price_per_kwh: fromMicro(grid.exportPriceMicro),
      network_fee_per_kwh: fromMicro(grid.networkFeeMicro),
    },
  };
}

export function tariffOf(rules: MarketRules): GridTariff {
  return {
    importPriceMicro: toMicro(rules.grid.import_price_per_kwh),
    exportPriceMicro: toMicro(rules.grid.export_price_per_kwh),
    networkFeeMicro: toMicro(rules.grid.network_fee_per_kwh),
  };
}

/**
 * Re-clears a recorded block's market from its orders and its head's rules, as anyone who
 * verifies the block does (the operator clears through clearInterval.ts, from the same
 * mechanism and integer tariff). Returns a problem (text) instead when the orders break a
 * market rule.
 */
export function clearBlockMarket(
  interval: Interval,
  rules: MarketRules,
  items: readonly OrderItem[],
  sequence: "timestamp" | "given" = "timestamp",
): { result: SettledInterval; mechanism: Mechanism } | { problem: string } {
  const mechanism = findMechanism(rules.mechanism);
  if (mechanism === undefined) return { problem: `unknown mechanism "${rules.mechanism}"` };
  const input = {
    interval,
    grid: tariffOf(rules),
    orders: items.map((i) => orderFromDocument(orderOfItem(i))),
    sequence,
  };
  const issues = checkOrders(input, mechanism);
  if (issues.length > 0) {
    const i = issues[0] as (typeof issues)[number];
    return { problem: `order rule broken at ${i.path.join(".")}: expected ${i.expected}` };
  }
  const kPpm = rules.params.k === undefined ? undefined : kToPpm(rules.params.k);
  const result = clearMarket(input, kPpm === undefined ? { mechanism } : { mechanism, kPpm });
  return { result, mechanism };
}

/** The entries of a block, as canonical JSON strings, in ledger order. */
export function blockEntries(
  height: number,
  items: readonly OrderItem[],
  result: SettledInterval,
  mechanism: Mechanism,
  v2?: ClearingV2,
): string[] {
  const out: string[] = [];
  for (const item of items) {
    const seq = v2 === undefined ? undefined : receivedSeqOf(item);
    out.push(
      item.kind === "signed"
        ? signedOrderEntry(height, item.envelope, seq)
        : attestedOrderEntry(height, item.order, seq),
    );
  }
  for (const cancel of v2?.cancels ?? []) out.push(cancelEntry(height, cancel));
  for (const trade of result.trades)
    out.push(tradeEntry(height, tradeRecord(trade, mechanism.splitPrices)));
  for (const p of result.participants) out.push(settlementEntry(height, participantRecord(p)));
  out.push(summaryEntry(height, summaryRecord(result)));
  return out;
}

function receivedSeqOf(item: OrderItem): number {
  if (item.receivedSeq === undefined)
    throw new Error("a format-2 clearing block needs each order's received_seq");
  return item.receivedSeq;
}

export function headSigningBytes(
  head: Omit<BlockHead, "signature"> | Omit<RegistryHead, "signature">,
): Buffer {
  const { signature: _omit, ...unsigned } = head as AnyHead;
  return Buffer.from(HEAD_CONTEXT + canonicalize(unsigned), "utf8");
}

/** The bytes the next operator key signs on a head that hands over to it. */
export function handoverSigningBytes(head: Partial<AnyHead>): Buffer {
  const { signature: _s, next_operator_signature: _n, ...unsigned } = head;
  return Buffer.from(HANDOVER_CONTEXT + canonicalize(unsigned), "utf8");
}

/** The hash that chains heads: SHA-256 of the signed head's canonical JSON, hex. */
export function headHash(head: AnyHead): string {
  return sha256Hex(canonicalize(head));
}

export interface SealedBlock {
  readonly block: Block;
  readonly leaves: readonly Hash[];
  readonly next: ChainState;
  readonly tradeCount: number;
}

/**
 * Builds, hashes and signs the next block. The interval must start at or after the previous
 * block's interval ends; the caller admits and clears the orders first (see clearInterval.ts).
 */
export function sealBlock(
  state: ChainState,
  interval: Interval,
  rules: MarketRules,
  items: readonly OrderItem[],
  cleared: { result: SettledInterval; mechanism: Mechanism },
  operator: Identity,
  v2?: ClearingV2,
): SealedBlock {
  const entries = blockEntries(state.height + 1, items, cleared.result, cleared.mechanism, v2);
  const trades = cleared.result.trades.length;
  return sealEntries(state, interval, rules, entries, operator, trades, v2 ? 2 : 1);
}

/**
 * Hashes and signs given entries as the next block. `sealBlock` derives the entries from the
 * market; this lower level exists so that tests can play a dishonest operator.
 */
export function sealEntries(
  state: ChainState,
  interval: Interval,
  rules: MarketRules,
  entries: readonly string[],
  operator: Identity,
  tradeCount: number,
  format: 1 | 2 = 1,
): SealedBlock {
  const fields = {
    ...(format === 2 ? { format: LEDGER_FORMAT_2, kind: "clearing" as const } : {}),
    interval: { minutes: interval.minutes, start: formatInstant(interval.startMs) },
    market: rules,
  };
  return sealHead(state, fields, entries, operator, tradeCount, intervalEndMs(interval));
}

/**
 * Hashes `entries` into the tree and signs the head made of `fields` and the tree, as the next
 * block (of any kind and format; format 1 unless `fields` says otherwise). With `next` (format 2
 * only), the head hands over to that key, which signs it too; the blocks after are its own.
 */
export function sealHead(
  state: ChainState,
  fields: Record<string, unknown>,
  entries: readonly string[],
  operator: Identity,
  tradeCount: number,
  lastIntervalEndMs: number,
  next?: Identity,
): SealedBlock {
  const height = state.height + 1;
  const frontier = state.frontier.clone();
  const firstLeaf = frontier.size;
  const leaves: Hash[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const h = leafHash(entries[i] as string);
    leaves[i] = h;
    frontier.append(h);
  }
  const unsigned: Omit<BlockHead, "signature"> | Omit<RegistryHead, "signature"> = {
    first_leaf: firstLeaf,
    format: LEDGER_FORMAT,
    ...fields,
    height,
    operator: operator.publicKey,
    prev_head_hash: state.headHash,
    root: frontier.root().toString("hex"),
    tree_size: frontier.size,
    ...(next === undefined ? {} : { next_operator: next.publicKey }),
  } as Omit<BlockHead, "signature">;
  const proved =
    next === undefined
      ? unsigned
      : { ...unsigned, next_operator_signature: signMessage(next, handoverSigningBytes(unsigned)) };
  const head = {
    ...proved,
    signature: signMessage(operator, headSigningBytes(proved)),
  };
  return {
    block: { head: head as AnyHead, entries: [...entries] },
    leaves,
    tradeCount,
    next: {
      height,
      frontier,
      headHash: headHash(head as AnyHead),
      lastIntervalEndMs,
      operator: next?.publicKey ?? state.operator ?? operator.publicKey,
    },
  };
}

/** The payload stored for a block: canonical JSON of `{ entries: [...], head }`. */
export function blockPayload(block: Block): string {
  return `{"entries":[${block.entries.join(",")}],"head":${canonicalize(block.head)}}`;
}
