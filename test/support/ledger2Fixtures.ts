/**
 * Deterministic format-2 ledgers: a registry block registering the four test homes, a `cda`
 * clearing block whose receive order differs from its orders' timestamps and that records a
 * cancel, a registry block suspending home-d, and a clearing block of the three others.
 */
import { createHash } from "node:crypto";
import type { OrderItem } from "../../src/ledger/block.js";
import { clearInterval, type LedgerPort } from "../../src/ledger/clearInterval.js";
import type { Identity } from "../../src/ledger/keys.js";
import { type RegistryItem, sealRegistry } from "../../src/ledger/registry.js";
import { type SignedDocument, signDocument } from "../../src/ledger/signedDocument.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { fixedIdentity, HOMES, OPERATOR, signedOrdersFor, T0 } from "./ledgerFixtures.js";

export const ADMIN = fixedIdentity("admin");
export const GRID2 = {
  importPriceMicro: 300_000,
  exportPriceMicro: 50_000,
  networkFeeMicro: 10_000,
};
export const MECHANISM2 = MECHANISMS.cda;

const nonce = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);
const DAY = 86_400_000;

export function adminDocument(document: Record<string, unknown>, name: string, by = ADMIN) {
  return signDocument("admin", document, by, nonce(`admin:${name}`), T0 + DAY);
}

/** participant.add of each home, with its effect. */
export function registrations(homes: readonly Identity[] = HOMES): RegistryItem[] {
  return homes.map((h) => ({
    document: adminDocument(
      { action: "participant.add", public_key: h.publicKey, name: h.participant.slice(0, 8) },
      `add:${h.participant}`,
    ),
    effect: { participant: h.participant, public_key: h.publicKey, status: "active" },
  }));
}

export function suspension(who: Identity): RegistryItem {
  return {
    document: adminDocument(
      { action: "participant.suspend", participant: who.participant },
      `suspend:${who.participant}`,
    ),
    effect: { participant: who.participant, public_key: who.publicKey, status: "suspended" },
  };
}

/** A cancel of `orderId` in interval `k`, signed by `by` (the owner, unless a test says not). */
export function cancelOf(who: Identity, orderId: string, k: number, by = who): SignedDocument {
  const document = {
    action: "order.cancel",
    participant: who.participant,
    order_id: orderId,
    interval_start: new Date(T0 + k * 15 * 60_000).toISOString().replace(".000Z", "Z"),
  };
  return signDocument("cancel", document, by, nonce(`cancel:${orderId}`), T0 + DAY);
}

/** `items` in the order given, stamped with receive sequence numbers from `first`. */
export function received(items: readonly OrderItem[], first: number): OrderItem[] {
  return items.map((item, i) => ({ ...item, receivedSeq: first + i }));
}

/** Interval 0's orders in receive order: not their timestamps' order. */
export const RECEIVED_0 = (): OrderItem[] => {
  const o = signedOrdersFor(0);
  return received([o[2], o[0], o[3], o[1]] as OrderItem[], 1);
};
export const RECEIVED_1 = (): OrderItem[] => received(signedOrdersFor(1).slice(0, 3), 5);
export const CANCEL_0 = () => cancelOf(HOMES[0] as Identity, "i0-withdrawn", 0);

/** Clears interval `k` of `items` into `port` as a format-2 clearing block. */
export function clear2(
  port: LedgerPort,
  k: number,
  items: readonly OrderItem[],
  cancels: readonly SignedDocument[] = [],
): void {
  const outcome = clearInterval({
    interval: { startMs: T0 + k * 15 * 60_000, minutes: 15 },
    tariff: GRID2,
    mechanism: MECHANISM2,
    items,
    requireSignatures: true,
    onRejection: "refuse-interval",
    format2: { cancels },
    ledger: { store: port, operator: OPERATOR },
  });
  if (outcome.status === "refused") throw new Error(outcome.rejected[0]?.message);
}

/** Appends a registry block of `items` to `port`. */
export function register2(port: LedgerPort, items: readonly RegistryItem[]): void {
  const sealed = sealRegistry(port.state, ADMIN.publicKey, items, OPERATOR);
  port.append(
    sealed,
    items.map((i) => `${i.document.public_key}:${i.document.nonce}`),
  );
}

/** The four blocks of the valid format-2 ledger. */
export function appendFormat2(port: LedgerPort): void {
  register2(port, registrations());
  clear2(port, 0, RECEIVED_0(), [CANCEL_0()]);
  register2(port, [suspension(HOMES[3] as Identity)]);
  clear2(port, 1, RECEIVED_1());
}
