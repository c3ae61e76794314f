/**
 * Ledger entries as canonical JSON, fast. Every entry is a leaf of the Merkle tree, so its bytes
 * must be exactly RFC 8785: these builders write each record with its keys already in sorted
 * order and let the engine's JSON.stringify do the rest, which is canonical for such objects
 * (finite numbers, well-formed strings). A test checks them against `canonicalize` on random
 * blocks.
 */

import { canonicalize } from "../core/canonicalJson.js";
import type { OrderDocument } from "../market/orderDocument.js";
import type { ParticipantRecord, summaryRecord, TradeRecord } from "../market/records.js";
import { checked, type SignedOrder, sortedOrder } from "./envelope.js";
import type { SignedDocument } from "./signedDocument.js";

/** `receivedSeq`: the order's receive stamp, recorded in format 2 only. */
export function attestedOrderEntry(
  height: number,
  order: OrderDocument,
  receivedSeq?: number,
): string {
  const o = sortedOrder(order);
  return JSON.stringify(
    receivedSeq === undefined
      ? { height, order: o, type: "order" }
      : { height, order: o, received_seq: receivedSeq, type: "order" },
  );
}

export function signedOrderEntry(height: number, e: SignedOrder, receivedSeq?: number): string {
  const envelope = {
    expires: e.expires,
    nonce: e.nonce,
    order: sortedOrder(e.order),
    public_key: e.public_key,
    signature: e.signature,
  };
  return JSON.stringify(
    receivedSeq === undefined
      ? { envelope, height, type: "order" }
      : { envelope, height, received_seq: receivedSeq, type: "order" },
  );
}

export function tradeEntry(height: number, t: TradeRecord): string {
  const trade =
    t.seller_price_per_kwh === undefined
      ? {
          buyer: checked(t.buyer),
          energy_amount_kwh: t.energy_amount_kwh,
          price_per_kwh: t.price_per_kwh,
          seller: checked(t.seller),
          status: t.status,
          timestamp: t.timestamp,
          transaction_id: t.transaction_id,
        }
      : {
          buyer: checked(t.buyer),
          energy_amount_kwh: t.energy_amount_kwh,
          price_per_kwh: t.price_per_kwh,
          seller: checked(t.seller),
          seller_price_per_kwh: t.seller_price_per_kwh,
          status: t.status,
          timestamp: t.timestamp,
          transaction_id: t.transaction_id,
        };
  return JSON.stringify({ height, trade, type: "trade" });
}

export function settlementEntry(height: number, p: ParticipantRecord): string {
  const participant = {
    bought_kwh: p.bought_kwh,
    grid_export_kwh: p.grid_export_kwh,
    grid_import_kwh: p.grid_import_kwh,
    participant: checked(p.participant),
    pays: p.pays,
    receives: p.receives,
    sold_kwh: p.sold_kwh,
  };
  return JSON.stringify({ height, participant, type: "settlement" });
}

export function summaryEntry(height: number, s: ReturnType<typeof summaryRecord>): string {
  const summary = {
    budget_surplus: s.budget_surplus,
    buy_price_per_kwh: s.buy_price_per_kwh,
    clearing_price_per_kwh: s.clearing_price_per_kwh,
    grid_cost: s.grid_cost,
    grid_export_kwh: s.grid_export_kwh,
    grid_import_kwh: s.grid_import_kwh,
    network_fees: s.network_fees,
    sell_price_per_kwh: s.sell_price_per_kwh,
    traded_kwh: s.traded_kwh,
    welfare: s.welfare,
  };
  return JSON.stringify({ height, summary, type: "summary" });
}

export type ParticipantState = "active" | "suspended";

/**
 * Format 2: what a registry document did: the participant, its key (a new key, for a key
 * binding; else its current one), and its status after. A key binding (`key.rotate`,
 * `participant.rebind`) adds the instant the key is bound from.
 */
export interface RegistryEffect {
  readonly participant: string;
  readonly public_key: string;
  readonly status: ParticipantState;
  readonly valid_from?: string;
}

/** Format 2: a registry entry, the admin's signed document and its effect (rare: canonicalized). */
export function registryEntry(height: number, doc: SignedDocument, effect: RegistryEffect): string {
  return canonicalize({ document: doc, effect, height, type: "registry" });
}

/** Format 2: a cancel entry, the member's signed cancel as it was received. */
export function cancelEntry(height: number, doc: SignedDocument): string {
  return canonicalize({ cancel: doc, height, type: "cancel" });
}
