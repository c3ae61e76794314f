/**
 * Deterministic ledgers for tests and golden vectors: fixed keys, nonces and expiry times, so
 * the same call always writes the same bytes.
 */
import { createHash } from "node:crypto";
import {
  blockPayload,
  type ChainState,
  emptyChain,
  type OrderItem,
  type SealedBlock,
} from "../../src/ledger/block.js";
import { clearInterval, type LedgerPort } from "../../src/ledger/clearInterval.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { type Identity, identityFromSeed } from "../../src/ledger/keys.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import type { MechanismName } from "../../src/market/types.js";
import { LedgerWriter } from "../../src/store/ledgerStore.js";

export const T0 = Date.UTC(2026, 5, 1, 12);

/** A fixed identity per name. */
export function fixedIdentity(name: string): Identity {
  return identityFromSeed(createHash("sha256").update(`gridshare test key ${name}`).digest());
}

export const OPERATOR = fixedIdentity("operator");
export const HOMES = ["home-a", "home-b", "home-c", "home-d"].map(fixedIdentity);

function nonce(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 32);
}

/**
 * Signed orders for interval `k` (15-minute intervals from T0): two sellers, two buyers, each of
 * `homes`' participant and signed with `keys` (the homes' own, unless a test rotated them).
 */
export function signedOrdersFor(
  k: number,
  homes: readonly Identity[] = HOMES,
  keys: readonly Identity[] = homes,
): OrderItem[] {
  const start = T0 + k * 15 * 60_000;
  const spec = [
    { side: "sell" as const, kwh: 1.2 + 0.1 * k, price: 0.08 },
    { side: "sell" as const, kwh: 0.7, price: 0.12 },
    { side: "buy" as const, kwh: 1.0, price: 0.28 },
    { side: "buy" as const, kwh: 0.9 + 0.05 * k, price: 0.18 },
  ];
  return spec.map((s, i) => {
    const who = homes[i] as Identity;
    const order = {
      id: `i${k}-o${i}`,
      participant: who.participant,
      side: s.side,
      energy_kwh: Number(s.kwh.toFixed(3)),
      price_per_kwh: s.price,
      timestamp: new Date(start - 60_000 + i * 1000).toISOString().replace(".000Z", "Z"),
    };
    return {
      kind: "signed" as const,
      envelope: signOrder(order, keys[i] as Identity, nonce(`${k}:${i}`), start + 3_600_000),
    };
  });
}

const GRID = { importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 10_000 };

/** Writes `blocks` blocks of signed orders to a new ledger in `dir`. */
export async function buildLedger(
  dir: string,
  blocks: number,
  options: { mechanism?: MechanismName; operator?: Identity; flushEach?: boolean } = {},
): Promise<LedgerWriter> {
  const mechanism = MECHANISMS[options.mechanism ?? "uniform"];
  const operator = options.operator ?? OPERATOR;
  const writer = await LedgerWriter.open(dir, { create: true });
  const first = writer.state.height + 1;
  for (let k = first; k < first + blocks; k++) {
    const interval = { startMs: T0 + k * 15 * 60_000, minutes: 15 };
    const outcome = clearInterval({
      interval,
      tariff: GRID,
      mechanism,
      items: signedOrdersFor(k),
      requireSignatures: true,
      onRejection: "refuse-interval",
      ledger: { store: writer, operator },
    });
    if (outcome.status === "refused") throw new Error(`block ${k}: an order was refused`);
    if (options.flushEach) await writer.flush();
  }
  await writer.flush();
  return writer;
}

/** A ledger in memory, as `clear` appends to one: the blocks' payloads and the nonces they used. */
export class MemoryLedger implements LedgerPort {
  state: ChainState = emptyChain();
  readonly payloads: string[] = [];
  private readonly nonces = new Set<string>();
  hasNonce(key: string): boolean {
    return this.nonces.has(key);
  }
  append(sealed: SealedBlock, nonces: readonly string[]): void {
    this.payloads.push(blockPayload(sealed.block));
    this.state = sealed.next;
    for (const n of nonces) this.nonces.add(n);
  }
}
