/**
 * One live community: orders come in for upcoming intervals, and at each gate closure the
 * interval is cleared into the ledger, in order, catching up on every gate that closed while the
 * server was down. The market's time comes from the injected clock; `tick` does what is due, so a
 * test steps a manual clock and ticks, and a server ticks on a timer.
 */
import { parseInstant } from "../core/time.js";
import type { Identity } from "../ledger/keys.js";
import type { GridTariff, Mechanism } from "../market/types.js";
import type { CommunityStore } from "../store/communityStore.js";
import type { LedgerWriter } from "../store/ledgerStore.js";
import type { MarketClock } from "./clock.js";
import {
  type ClosedInterval,
  closeGate,
  type DurableLedger,
  type GateContext,
  reconcile,
} from "./gateClosure.js";
import { type Accepted, parseEnvelope, submitOrder } from "./intake.js";
import { gateClosesAt, gatesClosedBetween, type Schedule } from "./schedule.js";

export interface LiveCommunityOptions {
  readonly id: string;
  /** The community document as canonical JSON, recorded on first start. */
  readonly document: string;
  readonly schedule: Schedule;
  readonly mechanism: Mechanism;
  readonly kPpm: number | undefined;
  readonly tariffAt: (intervalStartMs: number) => GridTariff;
  readonly clock: MarketClock;
  readonly store: CommunityStore;
  readonly ledger: LedgerWriter;
  readonly blockSigner: Identity;
  readonly wall?: () => number;
  /** Told of every interval cleared, after its block is durable and the database marked. */
  readonly onCleared?: (closed: ClosedInterval) => void;
}

/** The ledger writer as gate closure needs it. */
function durable(writer: LedgerWriter): DurableLedger {
  return {
    get state() {
      return writer.state;
    },
    hasNonce: (key) => writer.hasNonce(key),
    append: (sealed, nonces) => writer.append(sealed, nonces),
    flush: () => writer.flush(),
    get blockIntervals() {
      return writer.heads.map((h) => parseInstant(h.interval.start) as number);
    },
  };
}

export class LiveCommunity {
  private readonly gate: GateContext;
  private readonly wall: () => number;
  /** Submissions under way, by interval: a gate closure waits for them. */
  private readonly inFlight = new Map<number, Set<Promise<unknown>>>();
  /** Gates up to this market time have been handled. */
  private closedThrough = Number.NEGATIVE_INFINITY;
  private ticking: Promise<ClosedInterval[]> | undefined;

  private constructor(private readonly options: LiveCommunityOptions) {
    this.wall = options.wall ?? Date.now;
    this.gate = {
      store: options.store,
      ledger: durable(options.ledger),
      blockSigner: options.blockSigner,
      intervalMinutes: options.schedule.intervalMinutes,
      mechanism: options.mechanism,
      kPpm: options.kPpm,
      tariffAt: options.tariffAt,
      wall: this.wall,
    };
  }

  /**
   * Opens the community: records it when new, marks the intervals the ledger holds but the
   * database missed, knows from where gates are still to be closed, and closes those already due.
   */
  static async open(options: LiveCommunityOptions): Promise<LiveCommunity> {
    const c = new LiveCommunity(options);
    const createdAt = await options.store.ensureCommunity(options.document, options.clock.now());
    await reconcile(c.gate);
    const last = await options.store.lastCleared();
    c.closedThrough = last === undefined ? createdAt : gateClosesAt(options.schedule, last);
    // Gates the saved clock had passed when the process stopped are closed now, before any
    // request: a manual clock would otherwise leave them until its next advance.
    await c.tick();
    return c;
  }

  get store(): CommunityStore {
    return this.options.store;
  }

  get clock(): MarketClock {
    return this.options.clock;
  }

  get schedule(): Schedule {
    return this.options.schedule;
  }

  /** Takes a signed order (see intake.ts for the checks and their codes). */
  async submit(raw: unknown): Promise<Accepted> {
    const start = parseInstant(parseEnvelope(raw).order.interval_start ?? "");
    const work = submitOrder(
      {
        store: this.options.store,
        clock: this.options.clock,
        schedule: this.options.schedule,
        mechanism: this.options.mechanism,
        wall: this.wall,
      },
      raw,
    );
    if (start === undefined) return work;
    // Registered before the clock is read (inside submitOrder), so a gate closure that starts
    // later waits for it, and one that started earlier makes it see the gate closed.
    const set = this.inFlight.get(start) ?? new Set();
    this.inFlight.set(start, set);
    set.add(work);
    try {
      return await work;
    } finally {
      set.delete(work);
      if (set.size === 0) this.inFlight.delete(start);
    }
  }

  /** Clears every interval whose gate has closed since the last tick, in order. */
  tick(): Promise<ClosedInterval[]> {
    // One tick at a time: a tick asked for while one runs waits for it, then runs.
    const previous = this.ticking ?? Promise.resolve([]);
    const next = previous.then(
      () => this.closeDue(),
      () => this.closeDue(),
    );
    this.ticking = next;
    return next;
  }

  private async closeDue(): Promise<ClosedInterval[]> {
    // The clock is saved before any gate it passed is cleared: a restart never resumes behind a
    // cleared gate, where intake would take orders for an interval that is already cleared
    // (they would stay open for ever). A gate saved but not yet cleared is closed at start.
    const state = this.options.clock.state();
    await this.options.store.saveClock(state);
    const now = state.now;
    const closed: ClosedInterval[] = [];
    for (const start of gatesClosedBetween(this.options.schedule, this.closedThrough, now)) {
      await Promise.allSettled([...(this.inFlight.get(start) ?? [])]);
      const outcome = await closeGate(this.gate, start);
      this.closedThrough = gateClosesAt(this.options.schedule, start);
      closed.push(outcome);
      this.options.onCleared?.(outcome);
    }
    return closed;
  }
}
