/**
 * Deterministic format-2 ledgers: a registry block registering the four test homes, a `cda`
 * clearing block whose receive order differs from its orders' timestamps and that records a
 * cancel, a registry block suspending home-d, and a clearing block of the three others. And a
 * ledger whose keys change (`appendKeys`): home-a rotates its key, the operator re-binds
 * home-b's, and each order is signed by the key bound to its participant for its interval.
 */
import { createHash } from "node:crypto";
import type { OrderItem } from "../../src/ledger/block.js";
import { clearInterval, type LedgerPort } from "../../src/ledger/clearInterval.js";
import { sealRegistryBlock } from "../../src/ledger/communityUpdates.js";
import { keyRotation } from "../../src/ledger/keyDocuments.js";
import type { Identity } from "../../src/ledger/keys.js";
import { Registry, type RegistryItem } from "../../src/ledger/registry.js";
import { type SignedDocument, signDocument } from "../../src/ledger/signedDocument.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { fixedIdentity, HOMES, OPERATOR, signedOrdersFor, T0 } from "./ledgerFixtures.js";

export const ADMIN = fixedIdentity("admin");
/** The block-signing key the operator hands over to. */
export const OPERATOR_2 = fixedIdentity("operator 2");

/** The fixture operator key the port's next block must be signed by. */
export function signerOf(port: LedgerPort): Identity {
  return port.state.operator === OPERATOR_2.publicKey ? OPERATOR_2 : OPERATOR;
}
/** The keys home-a rotates to and home-b is re-bound to. */
export const NEW_KEYS = [fixedIdentity("home-a 2"), fixedIdentity("home-b 2")] as const;
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

const startOf = (k: number) => new Date(T0 + k * 15 * 60_000).toISOString().replace(".000Z", "Z");

/**
 * `who` rotates its key to `next` from interval `k`: signed by `by` (its current key, unless a
 * test says not), with `prover`'s proof of possession (the new key's, unless a test says not).
 */
export function rotation(
  who: Identity,
  next: Identity,
  k: number,
  options: { by?: Identity; prover?: Identity; participant?: string } = {},
): RegistryItem {
  const participant = options.participant ?? who.participant;
  const claim = keyRotation(participant, options.prover ?? next, startOf(k));
  const document = { ...claim, public_key: next.publicKey };
  return {
    document: signDocument(
      "key",
      document,
      options.by ?? who,
      nonce(`rotate:${participant}:${k}`),
      T0 + DAY,
    ),
    effect: { participant, public_key: next.publicKey, status: "active", valid_from: startOf(k) },
  };
}

/** The operator re-binds `who` to `next` from interval `k` (signed by `by`: the admin, unless a test says not). */
export function rebinding(who: Identity, next: Identity, k: number, by = ADMIN): RegistryItem {
  const action = {
    action: "participant.rebind",
    participant: who.participant,
    public_key: next.publicKey,
    valid_from: startOf(k),
  };
  return {
    document: adminDocument(action, `rebind:${who.participant}:${k}`, by),
    effect: {
      participant: who.participant,
      public_key: next.publicKey,
      status: "active",
      valid_from: startOf(k),
    },
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

/**
 * Clears interval `k` of `items` into `port` as a format-2 clearing block; with `registry`,
 * each order must be signed by the key it binds to its participant for the interval.
 */
export function clear2(
  port: LedgerPort,
  k: number,
  items: readonly OrderItem[],
  cancels: readonly SignedDocument[] = [],
  registry?: Registry,
): void {
  const startMs = T0 + k * 15 * 60_000;
  const outcome = clearInterval({
    interval: { startMs, minutes: 15 },
    tariff: GRID2,
    mechanism: MECHANISM2,
    items,
    requireSignatures: true,
    onRejection: "refuse-interval",
    format2: { cancels },
    ...(registry === undefined ? {} : { boundKey: (p: string) => registry.keyFor(p, startMs) }),
    ledger: { store: port, operator: signerOf(port) },
  });
  if (outcome.status === "refused") throw new Error(outcome.rejected[0]?.message);
}

/** Appends a registry block of `items` to `port` (and their effects to `registry`, when given). */
export function register2(
  port: LedgerPort,
  items: readonly RegistryItem[],
  registry?: Registry,
): void {
  for (const i of items) registry?.apply(i.effect);
  const sealed = sealRegistryBlock(port.state, ADMIN.publicKey, items, signerOf(port));
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

/** Appends a registry block with no documents that hands block signing over to `next`. */
export function handover2(port: LedgerPort, next: Identity = OPERATOR_2): void {
  port.append(sealRegistryBlock(port.state, ADMIN.publicKey, [], signerOf(port), next), []);
}

/**
 * The ledger whose keys change, up to its last block: the homes registered; interval 0 cleared;
 * home-a's rotation to its new key and home-b's re-binding by the operator, both from interval
 * 2; the operator's block-signing key handed over to its next one; interval 1 cleared with the
 * old member keys (still theirs there). Returns the registry the blocks replay to.
 */
export function appendKeysPrefix(port: LedgerPort): Registry {
  const registry = new Registry();
  const [a, b] = HOMES as [Identity, Identity];
  register2(port, registrations(), registry);
  clear2(port, 0, received(signedOrdersFor(0), 1), [], registry);
  register2(port, [rotation(a, NEW_KEYS[0], 2), rebinding(b, NEW_KEYS[1], 2)], registry);
  handover2(port);
  clear2(port, 1, received(signedOrdersFor(1), 5), [], registry);
  return registry;
}

/** The signing keys of interval 2's orders: home-a's and home-b's new ones, the others' own. */
export const KEYS_2 = (): Identity[] => [NEW_KEYS[0], NEW_KEYS[1], ...HOMES.slice(2)];

/** The ledger whose keys change (appendKeysPrefix), and interval 2 cleared with the new keys. */
export function appendKeys(port: LedgerPort): void {
  const registry = appendKeysPrefix(port);
  clear2(port, 2, received(signedOrdersFor(2, HOMES, KEYS_2()), 9), [], registry);
}
