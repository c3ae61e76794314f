/**
 * Deciding a batch of new orders at once (group commit): each order gets the outcome it would
 * have got had the batch's orders been recorded one at a time in arrival order, against what the
 * database held when the batch began plus the batch's own earlier orders. The store reads the
 * few rows this needs in a handful of statements, calls `decideOrders`, and writes what it
 * returns in the same transaction, so a batch of a hundred orders costs about as many round trips
 * as one order did.
 *
 * Pure data, no I/O: the store passes what it read and takes back what to write.
 */
import type { Side } from "../market/types.js";
import type { NewOrder, OrderReceipt, OrderStatus, RecordOutcome } from "./communityStore.js";

/** A nonce already recorded, with its document's digest and the answer it got. */
export interface KnownNonce {
  readonly digest: string;
  readonly answer: string;
}

/** An order already in the database that a batch's checks depend on. */
export interface KnownOrder {
  readonly intervalStartMs: number;
  readonly participant: string;
  readonly orderId: string;
  readonly side: Side;
  readonly status: OrderStatus;
}

/** What a batch writes: its new orders with their receipts, the orders they replace, the nonces. */
export interface BatchDecision {
  /** One outcome per order of the batch, in its order. */
  readonly outcomes: readonly RecordOutcome[];
  /**
   * The orders to insert, each with its receipt (received_seq in arrival order) and its status:
   * open, or cancelled when a later order of the same batch replaced it.
   */
  readonly inserts: readonly {
    readonly order: NewOrder;
    readonly receipt: OrderReceipt;
    readonly status: "open" | "cancelled";
  }[];
  /** Open orders cancelled because a new order replaces them. */
  readonly cancels: readonly {
    readonly intervalStartMs: number;
    readonly participant: string;
    readonly orderId: string;
  }[];
}

/** An instant as the receipts write it: ISO 8601, whole seconds without a fraction. */
function instantText(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

const idKey = (interval: number, orderId: string) => `${interval}\u0000${orderId}`;

/**
 * The outcome of each order of `batch`, as if recorded one after another; `nextSeq` hands out
 * receive stamps (called once per recorded order, in order). A participant in `inactive` (suspended
 * since intake checked it) gets `suspended` for a new order, and an order `unbound` says is
 * signed by a key no longer its participant's for its interval gets `key_not_bound`.
 */
export function decideOrders(
  batch: readonly NewOrder[],
  nonces: ReadonlyMap<string, KnownNonce>,
  known: readonly KnownOrder[],
  nextSeq: () => number,
  inactive: ReadonlySet<string> = new Set(),
  unbound: (o: NewOrder) => boolean = () => false,
): BatchDecision {
  const seenNonces = new Map(nonces);
  const usedIds = new Set<string>();
  /** Each participant's open orders in each interval: order id to side. */
  const open = new Map<string, Map<string, Side>>();
  const openOf = (interval: number, participant: string) => {
    const key = `${interval}\u0000${participant}`;
    const orders = open.get(key) ?? new Map<string, Side>();
    open.set(key, orders);
    return orders;
  };
  for (const o of known) {
    usedIds.add(idKey(o.intervalStartMs, o.orderId));
    if (o.status === "open") openOf(o.intervalStartMs, o.participant).set(o.orderId, o.side);
  }
  /** The side of an open order of the participant other than `o`'s, bar the one it replaces. */
  const otherSide = (o: NewOrder, mine: ReadonlyMap<string, Side>): Side | undefined => {
    for (const [id, side] of mine) if (side !== o.side && id !== o.replaces) return side;
    return undefined;
  };
  const outcomes: RecordOutcome[] = [];
  const inserts: { order: NewOrder; receipt: OrderReceipt; status: "open" | "cancelled" }[] = [];
  /** This batch's own inserts by (interval, participant, id), should a later one replace them. */
  const placed = new Map<string, (typeof inserts)[number]>();
  const cancels: BatchDecision["cancels"][number][] = [];
  for (const o of batch) {
    const earlier = seenNonces.get(o.nonceKey);
    if (earlier !== undefined) {
      outcomes.push(
        earlier.digest === o.digest
          ? { kind: "replayed", receipt: JSON.parse(earlier.answer) as OrderReceipt }
          : { kind: "nonce_reused" },
      );
      continue;
    }
    if (inactive.has(o.participant)) {
      outcomes.push({ kind: "suspended" });
      continue;
    }
    if (unbound(o)) {
      outcomes.push({ kind: "key_not_bound" });
      continue;
    }
    const mine = openOf(o.intervalStartMs, o.participant);
    if (o.replaces !== undefined && !mine.has(o.replaces)) {
      outcomes.push({ kind: "replace_missing" });
      continue;
    }
    if (usedIds.has(idKey(o.intervalStartMs, o.orderId))) {
      outcomes.push({ kind: "duplicate_id" });
      continue;
    }
    const clash = o.oneSidePerParticipant ? otherSide(o, mine) : undefined;
    if (clash !== undefined) {
      outcomes.push({ kind: "side_conflict", openSide: clash });
      continue;
    }
    if (o.replaces !== undefined) {
      mine.delete(o.replaces);
      const own = placed.get(idKey(o.intervalStartMs, `${o.participant}\u0000${o.replaces}`));
      if (own !== undefined) own.status = "cancelled";
      else
        cancels.push({
          intervalStartMs: o.intervalStartMs,
          participant: o.participant,
          orderId: o.replaces,
        });
    }
    const receipt: OrderReceipt = {
      order_id: o.orderId,
      participant: o.participant,
      interval_start: instantText(o.intervalStartMs),
      received_seq: nextSeq(),
      status: "open",
      ...(o.replaces === undefined ? {} : { replaced: o.replaces }),
    };
    usedIds.add(idKey(o.intervalStartMs, o.orderId));
    mine.set(o.orderId, o.side);
    seenNonces.set(o.nonceKey, { digest: o.digest, answer: JSON.stringify(receipt) });
    const insert = { order: o, receipt, status: "open" as "open" | "cancelled" };
    placed.set(idKey(o.intervalStartMs, `${o.participant}\u0000${o.orderId}`), insert);
    inserts.push(insert);
    outcomes.push({ kind: "recorded", receipt });
  }
  return { outcomes, inserts, cancels };
}
