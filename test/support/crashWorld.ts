/**
 * What a crash test knows of the market it drives: the signed orders it sent and what became of
 * each (acknowledged, refused, or unknown because the server died first), the manual clock's
 * advances, and the lowest clock the server may show. The checks after each restart compare the
 * server against this record (crashChecks.ts).
 */
import { createHash } from "node:crypto";
import { formatInstant } from "../../src/core/time.js";
import { type SignedOrder, signOrder } from "../../src/ledger/envelope.js";
import { type Identity, identityFromSeed } from "../../src/ledger/keys.js";
import type { SignedDocument } from "../../src/ledger/signedDocument.js";

export const MIN = 60_000;
export const INTERVAL_MS = 15 * MIN;
export const GATE_MS = 5 * MIN;
/** The manual clock's start: an hour before the first interval the test trades in. */
export const START_MS = Date.UTC(2026, 5, 1, 11);

/** What became of a request: acknowledged (201/200), refused (4xx), or no answer. */
export type Fate = "acked" | "refused" | "unknown";

export interface SentOrder {
  readonly envelope: SignedOrder;
  readonly intervalStartMs: number;
  readonly participant: string;
  fate: Fate;
  /** Seen in the server's answer to GET /v1/orders after a restart: it must stay. */
  seen: boolean;
}

export interface SentAdvance {
  readonly doc: SignedDocument;
  readonly toMs: number;
  fate: Fate;
}

/** The order's key: ids are unique within an interval. */
export const orderKey = (intervalStartMs: number, id: string) => `${intervalStartMs}|${id}`;

export class CrashWorld {
  readonly admin: Identity;
  readonly members: readonly Identity[];
  readonly orders = new Map<string, SentOrder>();
  readonly advances: SentAdvance[] = [];
  /** The clock may never show less than this: acknowledged advances, and what it showed. */
  clockFloorMs = START_MS;
  /** The latest instant an advance was sent for, answered or not. */
  clockSentMs = START_MS;
  /** Intervals confirmed cleared (their gate closed); they must stay so. */
  readonly cleared = new Set<number>();
  private counter = 0;

  constructor(
    readonly seed: number,
    participants: number,
  ) {
    const key = (name: string) =>
      identityFromSeed(createHash("sha256").update(`crash ${seed} ${name}`).digest());
    this.admin = key("admin");
    this.members = Array.from({ length: participants }, (_, i) => key(`member ${i}`));
  }

  /** A fresh nonce: 32 hex digits, from the seed and a counter. */
  nonce(): string {
    return createHash("sha256")
      .update(`crash nonce ${this.seed} ${this.counter++}`)
      .digest("hex")
      .slice(0, 32);
  }

  /** Every interval an order was sent for, in order. */
  intervals(): number[] {
    return [...new Set([...this.orders.values()].map((o) => o.intervalStartMs))].sort(
      (a, b) => a - b,
    );
  }

  /**
   * A new signed order by member `m` for `intervalStartMs`, recorded as unknown until answered.
   * Even members sell and odd ones buy (the mechanism allows one side per participant), at
   * prices that cross, so intervals clear into trades.
   */
  newOrder(m: number, intervalStartMs: number, draw: (lo: number, hi: number) => number) {
    const who = this.members[m] as Identity;
    const sell = m % 2 === 0;
    const id = `o${this.counter}`;
    const envelope = signOrder(
      {
        id,
        participant: who.participant,
        side: sell ? "sell" : "buy",
        energy_kwh: draw(1, 30) / 10,
        price_per_kwh: (sell ? draw(5, 15) : draw(10, 30)) / 100,
        timestamp: formatInstant(this.clockSentMs),
        interval_start: formatInstant(intervalStartMs),
      },
      who,
      this.nonce(),
      intervalStartMs + INTERVAL_MS,
    );
    const sent: SentOrder = {
      envelope,
      intervalStartMs,
      participant: who.participant,
      fate: "unknown",
      seen: false,
    };
    this.orders.set(orderKey(intervalStartMs, id), sent);
    return sent;
  }

  /** The first interval whose gate is ahead of the clock as the server last showed it. */
  firstOpenInterval(): number {
    const after = this.clockFloorMs + GATE_MS;
    return Math.floor(after / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS;
  }
}
