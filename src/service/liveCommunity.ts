/**
 * One live community: orders come in for upcoming intervals, and at each gate closure the
 * interval is cleared into the ledger, in order, catching up on every gate that closed while the
 * server was down. The market's time comes from the injected clock; `tick` does what is due, so a
 * test steps a manual clock and ticks, and a server ticks on a timer.
 */
import { GridshareError, InputError } from "../core/errors.js";
import { MS_PER_HOUR, parseInstant } from "../core/time.js";
import { kwhToWh, toMicro } from "../core/units.js";
import { tariffLookup } from "../formats/communityFile.js";
import { intervalStartOf, LEDGER_FORMAT_2 } from "../ledger/block.js";
import type { Identity } from "../ledger/keys.js";
import type { GridTariff, Mechanism } from "../market/types.js";
import type { ClockState, CommunityStore, NewOrder } from "../store/communityStore.js";
import type { LedgerWriter } from "../store/ledgerStore.js";
import {
  type AdminAction,
  type AdminContext,
  type AdminOutcome,
  type AdminRoute,
  applyAdmin,
} from "./admin.js";
import { fillsAreFinal, guardFills, type IntakeOutcome, recordAndMatch } from "./cdaIntake.js";
import type { MarketClock } from "./clock.js";
import { CommunityRules, type TariffResolver } from "./communityRules.js";
import {
  type ClosedInterval,
  closeGate,
  type DurableBlock,
  type DurableLedger,
  type GateContext,
  markClosed,
  reconcile,
  UnmarkedClosure,
} from "./gateClosure.js";
import { GroupCommit } from "./groupCommit.js";
import { type Handover, takeOverSigning } from "./handover.js";
import { type Accepted, parseEnvelope, submitOrder } from "./intake.js";
import { rotateKey } from "./keyRotation.js";
import { LiveBooks } from "./liveBooks.js";
import type { MarketFeed } from "./marketFeed.js";
import { cancelOrder, type MemberContext } from "./memberDocuments.js";
import { RegistrySealer } from "./registrySealer.js";
import {
  dueForClearing,
  firstGateAfter,
  openIntervals,
  opensBetween,
  type Schedule,
} from "./schedule.js";

/** Wall milliseconds between two frames of the `clock` channel of a running clock. */
const CLOCK_FRAME_MS = 1000;

export interface LiveCommunityOptions {
  readonly id: string;
  /** The community document as canonical JSON, recorded on first start. */
  readonly document: string;
  /** The community file's rules (its timing, mechanism, k and tariff): the base of `rules`. */
  readonly schedule: Schedule;
  readonly mechanism: Mechanism;
  readonly kPpm: number | undefined;
  readonly tariffAt: (intervalStartMs: number) => GridTariff;
  /**
   * The rules in force per interval, the community updates the database holds included; read
   * from the store over the base rules above when not given.
   */
  readonly rules?: CommunityRules;
  /** Prices an update's tariff block; the community file's lookup in UTC when not given. */
  readonly resolveTariff?: TariffResolver;
  readonly clock: MarketClock;
  readonly store: CommunityStore;
  readonly ledger: LedgerWriter;
  readonly blockSigner: Identity;
  /**
   * The key the ledger's blocks were signed by until now, when the server moves to `blockSigner`:
   * the ledger hands over to it at open (handover.ts).
   */
  readonly previousBlockSigner?: Identity | undefined;
  /** The community's admin key: operator documents must be signed by it. */
  readonly adminPublicKey: string;
  /** The live feed; none in tests that do not watch it. */
  readonly feed?: MarketFeed | undefined;
  readonly wall?: () => number;
  /** Told of every interval cleared, after its block is durable and the database marked. */
  readonly onCleared?: (closed: ClosedInterval) => void;
  /** Told of every block, registry or clearing, once it is durable, in the order of heights. */
  readonly onBlock?: (block: DurableBlock) => void;
}

/** The ledger writer as gate closure needs it; `onBlock` hears of each block once durable. */
function durable(writer: LedgerWriter, onBlock?: (block: DurableBlock) => void): DurableLedger {
  let sequenced: DurableBlock[] = [];
  let last: string | undefined;
  return {
    get state() {
      return writer.state;
    },
    hasNonce: (key) => writer.hasNonce(key),
    append: (sealed, nonces) => {
      // The writer serialises the block once; everyone after it uses that text.
      last = writer.append(sealed, nonces);
      if (onBlock !== undefined)
        sequenced.push({
          height: sealed.block.head.height,
          head: sealed.block.head,
          payload: last,
        });
    },
    get lastPayload() {
      return last;
    },
    flush: async () => {
      await writer.flush();
      const done = sequenced;
      sequenced = [];
      for (const block of done) onBlock?.(block);
    },
    get blockIntervals() {
      return writer.heads.map((h) => {
        const start = intervalStartOf(h);
        return start === undefined ? null : (parseInstant(start) as number);
      });
    },
  };
}

/**
 * Whether the community's ledger is written in format 2: always for a new ledger, never for one
 * that began in format 1 (registrations made before the platform wrote format 2 were never
 * signed into the ledger, so a registry could not be replayed from it).
 */
async function writesFormat2(store: CommunityStore, writer: LedgerWriter): Promise<boolean> {
  const last = writer.heads[writer.heads.length - 1];
  if (last !== undefined) return last.format === LEDGER_FORMAT_2;
  const registered = (await store.participants()).length;
  return registered === 0 || (await store.registrations(0)).length > 0;
}

export class LiveCommunity {
  private gate: GateContext;
  /** Appends to the ledger and registrations, one at a time (see `inLane`). */
  private lane: Promise<unknown> = Promise.resolve();
  private readonly wall: () => number;
  /** New orders, recorded many to a transaction under load. */
  private readonly orders: GroupCommit<NewOrder, IntakeOutcome>;
  /**
   * With `cda`, each open interval's continuous book (liveBooks.ts). A community is continuous
   * when its file names `cda`; an update never moves it to or from `cda` (communityUpdate.ts).
   */
  readonly books: LiveBooks | undefined;
  /** Submissions under way, by interval: a gate closure waits for them. */
  private readonly inFlight = new Map<number, Set<Promise<unknown>>>();
  /** The first interval not cleared yet: gate closure goes on from there, in order. */
  private nextToClear = Number.NEGATIVE_INFINITY;
  private ticking: Promise<ClosedInterval[]> | undefined;
  /** A closure of the next gate whose block is durable but whose marks failed: finished first. */
  private unmarked: UnmarkedClosure | undefined;
  /** The market time of the last tick, and the wall time of the last clock frame. */
  private lastTick: number | undefined;
  private lastClockFrame = Number.NEGATIVE_INFINITY;
  /** The handover of block signing written as the community opened, if one was. */
  handover: Handover | undefined;

  private constructor(
    private readonly options: LiveCommunityOptions,
    /** The rules in force per interval: the community file's, and the updates since. */
    readonly rules: CommunityRules,
    private readonly resolveTariff: TariffResolver,
  ) {
    this.wall = options.wall ?? Date.now;
    const books =
      options.mechanism.name === "cda"
        ? new LiveBooks(options.store, options.schedule.intervalMinutes, (start) =>
            rules.rulesAt(start).tariffAt(start),
          )
        : undefined;
    this.books = books;
    const record = (batch: readonly NewOrder[]) => options.store.recordOrders(batch);
    this.orders = new GroupCommit(
      books === undefined
        ? record
        : (batch) => books.inLane(() => recordAndMatch(books, record, options.feed, batch)),
    );
    this.gate = {
      store: options.store,
      ledger: durable(options.ledger, options.onBlock),
      blockSigner: options.blockSigner,
      intervalMinutes: options.schedule.intervalMinutes,
      rulesAt: (start) => rules.rulesAt(start),
      wall: this.wall,
      registry: undefined,
    };
  }

  /**
   * Runs `work` after every earlier lane work has finished: gate closures and registrations
   * never interleave, so a clearing block is sealed against the registry its orders were
   * taken under, and registry blocks never land between a closure's reads and its block.
   */
  private inLane<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lane.then(work, work);
    this.lane = next.catch(() => undefined);
    return next;
  }

  /**
   * With `cda`, runs `work` in the books' lane, so that no fill comes between a check of the
   * fills and the commit that depends on it; without, at once.
   */
  private inBooks<T>(work: () => Promise<T>): Promise<T> {
    return this.books === undefined ? work() : this.books.inLane(work);
  }

  /**
   * Opens the community: records it when new, marks the intervals the ledger holds but the
   * database missed, knows from where gates are still to be closed, and closes those already due.
   */
  static async open(options: LiveCommunityOptions): Promise<LiveCommunity> {
    const resolveTariff =
      options.resolveTariff ??
      ((tariff, at) => tariffLookup(tariff, "UTC", "the community update", at));
    const rules =
      options.rules ??
      (await CommunityRules.open(
        options.schedule.intervalMinutes,
        {
          gateClosureMinutes: options.schedule.gateClosureMinutes,
          openHours: options.schedule.openHours,
          mechanism: options.mechanism,
          kPpm: options.kPpm,
          tariffAt: options.tariffAt,
        },
        options.store,
        resolveTariff,
      ));
    const c = new LiveCommunity(options, rules, resolveTariff);
    const createdAt = await options.store.ensureCommunity(options.document, options.clock.now());
    if (await writesFormat2(options.store, options.ledger)) {
      const registry = await RegistrySealer.open(
        options.store,
        c.gate.ledger,
        options.ledger.heads,
        options.adminPublicKey,
        options.blockSigner,
      );
      c.gate = { ...c.gate, registry };
    }
    // The handover, if one is due, comes first: every later block is the new key's.
    c.handover = await takeOverSigning(
      c.gate.ledger,
      options.blockSigner,
      options.previousBlockSigner,
      c.gate.registry,
    );
    // Registrations the log missed (a crash, a failed write) are sealed before anything else.
    await c.gate.registry?.sealPending();
    await reconcile(c.gate);
    const last = await options.store.lastCleared();
    c.nextToClear =
      last === undefined
        ? firstGateAfter(rules.schedule, createdAt)
        : last + options.schedule.intervalMinutes * 60_000;
    // Gates the saved clock had passed when the process stopped are closed now, before any
    // request: a manual clock would otherwise leave them until its next advance.
    await c.tick();
    await c.restoreBooks();
    return c;
  }

  /**
   * With `cda`, builds the book of every interval taking orders from its stored orders and gives
   * the feed what rests in each (the fills they replay to are not published again). With
   * `rebuild`, after a suspension or a key binding, the books are built afresh, so the orders it
   * cancelled (never one with a fill: cdaIntake.ts) leave them.
   */
  private async restoreBooks(rebuild = false): Promise<void> {
    const books = this.books;
    if (books === undefined) return;
    await books.inLane(async () => {
      if (rebuild) for (const start of [...books.all.keys()]) books.drop(start);
      for (const start of openIntervals(this.rules.schedule, this.options.clock.now())) {
        const book = await books.bookOf(start);
        this.options.feed?.restore(start, book.resting());
      }
    });
  }

  /** The feed's depth after orders were cancelled outside intake (a suspension, a binding). */
  private async refreshBooks(): Promise<void> {
    if (this.books === undefined) await this.options.feed?.resync(this.options.store);
    else await this.restoreBooks(true);
  }

  get store(): CommunityStore {
    return this.options.store;
  }

  get clock(): MarketClock {
    return this.options.clock;
  }

  /** Every interval's timing, community updates included. */
  get schedule(): Schedule {
    return this.rules.schedule;
  }

  /** What a member's signed documents (cancels, sessions) are checked against. */
  get member(): MemberContext {
    const books = this.books;
    return {
      store: this.options.store,
      clock: this.options.clock,
      schedule: this.rules.schedule,
      wall: this.wall,
      ...(books === undefined
        ? {}
        : {
            guardCancel: async (start: number, participant: string, orderId: string) => {
              const filledWh = (await books.bookOf(start)).filledWh(participant, orderId);
              if (filledWh > 0) throw fillsAreFinal("order_id", orderId, filledWh, "cancelled");
            },
          }),
    };
  }

  get adminContext(): AdminContext {
    return {
      store: this.options.store,
      adminPublicKey: this.options.adminPublicKey,
      clock: this.options.clock,
      schedule: this.rules.schedule,
      wall: this.wall,
      rules: this.rules,
      resolveTariff: this.resolveTariff,
      ...(this.books === undefined ? {} : { guard: (action) => this.guardFills(action) }),
    };
  }

  /**
   * With `cda`, refuses a suspension or a re-binding of a member with a fill in an interval not
   * yet cleared: fills are final, so its order must stay in the block (cdaIntake.ts).
   */
  private guardFills(action: AdminAction): void {
    const books = this.books;
    if (books === undefined) return;
    if (action.action === "participant.suspend")
      guardFills(books, action.participant, "suspend it");
    if (action.action === "participant.rebind")
      guardFills(
        books,
        action.participant,
        "re-bind its key",
        parseInstant(action.valid_from) ?? Number.NEGATIVE_INFINITY,
      );
  }

  /**
   * Takes a member's key rotation (keyRotation.ts) for `participant`; answered once its registry
   * block is durable. The orders it cancels (from its start on) leave the feed's books.
   */
  async rotateKey(
    raw: unknown,
    participant: string,
  ): Promise<{ created: boolean; answer: string }> {
    const registry = this.keyRegistry();
    const books = this.books;
    const rotate = async () => {
      // From the rotation's start on (a rotation that does not parse is refused by rotateKey).
      const from = (raw as { document?: { valid_from?: unknown } } | null)?.document?.valid_from;
      const fromMs = typeof from === "string" ? parseInstant(from) : undefined;
      if (books !== undefined)
        guardFills(books, participant, "rotate its key", fromMs ?? Number.NEGATIVE_INFINITY);
      return rotateKey(this.member, raw, participant);
    };
    const outcome = await this.inLane(async () => {
      const rotated = await this.inBooks(rotate);
      await sealOrUnavailable(registry);
      return rotated;
    });
    if (outcome.created) await this.refreshBooks();
    return outcome;
  }

  /** The registry a key binding goes into: none in a format-1 ledger, which cannot record one. */
  private keyRegistry(): RegistrySealer {
    if (this.gate.registry === undefined)
      throw new InputError(
        "E_CONFLICT",
        "this community's ledger is in format 1 (it began before the platform wrote format 2): it cannot record key rotations or re-bindings, so its participants keep their keys",
        { details: { field: "document.action", expected: "a format-2 ledger" } },
      );
    return this.gate.registry;
  }

  /** Takes a signed order (see intake.ts for the checks and their codes). */
  async submit(raw: unknown): Promise<Accepted> {
    const envelope = parseEnvelope(raw);
    const start = parseInstant(envelope.order.interval_start ?? "");
    const work = submitOrder(
      {
        store: this.options.store,
        record: (order) => this.orders.submit(order),
        clock: this.options.clock,
        schedule: this.rules.schedule,
        mechanismAt: (at) => this.rules.rulesAt(at).mechanism,
        wall: this.wall,
      },
      envelope,
    ).then((accepted) => {
      // With `cda` the feed heard of the order when it matched, in receive order.
      if (this.books !== undefined) return accepted;
      const replaced = accepted.receipt.replaced;
      if (accepted.created && start !== undefined && replaced !== undefined)
        this.options.feed?.cancelled(start, [
          { participant: accepted.receipt.participant, orderId: replaced },
        ]);
      if (accepted.created && start !== undefined)
        this.options.feed?.accepted({
          intervalStartMs: start,
          participant: accepted.receipt.participant,
          orderId: accepted.receipt.order_id,
          receivedSeq: accepted.receipt.received_seq,
          side: envelope.order.side,
          energyWh: kwhToWh(envelope.order.energy_kwh),
          priceMicro: toMicro(envelope.order.price_per_kwh),
        });
      return accepted;
    });
    return this.whileInFlight(start, work);
  }

  /**
   * Awaits `work` (a submission for the interval starting at `start`) where gate closure sees
   * it. Registered before the clock is read (inside the work), so a gate closure that starts
   * later waits for it, and one that started earlier makes it see the gate closed.
   */
  private async whileInFlight<T>(start: number | undefined, work: Promise<T>): Promise<T> {
    if (start === undefined) return work;
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

  /** Takes a member's signed cancel of one of its open orders. */
  async cancel(raw: unknown, orderId: string): Promise<{ created: boolean; answer: string }> {
    // A gate closure waits for a cancel that saw its gate open, as for an order: else the
    // block could hold both the order and its cancel.
    const named = (raw as { document?: { interval_start?: unknown } } | null)?.document
      ?.interval_start;
    const start = typeof named === "string" ? parseInstant(named) : undefined;
    const books = this.books;
    const work = async () => {
      const outcome = await cancelOrder(this.member, raw, orderId);
      if (outcome.created) {
        const answer = JSON.parse(outcome.answer) as {
          participant: string;
          interval_start: string;
        };
        const at = parseInstant(answer.interval_start) as number;
        books?.built(at)?.withdraw(orderId);
        this.options.feed?.cancelled(at, [{ participant: answer.participant, orderId }]);
      }
      return outcome;
    };
    return this.whileInFlight(start, this.inBooks(work));
  }

  /**
   * Applies one operator document, checked as it arrives and recorded in its turn in the lane
   * (advances sent at the same time are each checked against the clock they found, not the one
   * an advance before them in the lane left); a registration is answered once its registry
   * block is durable, and a suspension's cancelled orders leave the feed's books.
   */
  async admin(raw: unknown, only?: AdminRoute): Promise<AdminOutcome> {
    const outcome = await applyAdmin(
      this.adminContext,
      raw,
      (record, action) =>
        this.inLane(async () => {
          const registry =
            action.action === "participant.rebind" ? this.keyRegistry() : this.gate.registry;
          // With `cda`, checked again in the books' lane: no fill comes between it and the commit.
          const applied = await this.inBooks(async () => {
            this.guardFills(action);
            return record();
          });
          if (registry !== undefined && applied.action.action !== "clock.advance")
            await sealOrUnavailable(registry);
          return applied;
        }),
      only,
    );
    const cancelling = ["participant.suspend", "participant.rebind"];
    if (outcome.created && cancelling.includes(outcome.action.action)) await this.refreshBooks();
    return outcome;
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
    const feed = this.options.feed;
    const step = this.options.schedule.intervalMinutes * 60_000;
    for (const start of dueForClearing(this.rules.schedule, this.nextToClear, now)) {
      const outcome = await this.closeOne(start);
      // Whatever rested at the gate expired with it.
      this.books?.drop(start);
      this.nextToClear = start + step;
      closed.push(outcome);
      feed?.cleared(outcome);
      this.options.onCleared?.(outcome);
    }
    if (feed !== undefined) this.announce(feed, now, state);
    return closed;
  }

  /**
   * Closes one gate, after the submissions under way for its interval. A closure that failed
   * after its block was durable is finished (its marks retried), never cleared again; the error
   * it met is what the tick throws.
   */
  private async closeOne(start: number): Promise<ClosedInterval> {
    const unmarked = this.unmarked;
    try {
      if (unmarked?.closed.intervalStartMs === start) {
        const outcome = await markClosed(this.gate, unmarked);
        this.unmarked = undefined;
        return outcome;
      }
      this.options.feed?.gateClosed(start);
      await Promise.allSettled([...(this.inFlight.get(start) ?? [])]);
      return await this.inLane(() => closeGate(this.gate, start));
    } catch (error) {
      if (!(error instanceof UnmarkedClosure)) throw error;
      this.unmarked = error;
      throw error.cause;
    }
  }

  /** The intervals that opened since the last tick, and the clock (at most once a wall second). */
  private announce(feed: MarketFeed, now: number, state: ClockState): void {
    const s = this.rules.schedule;
    if (this.lastTick !== undefined) {
      const longest = Math.max(s.openHours, ...(s.changes ?? []).map((c) => c.openHours));
      const after = Math.max(this.lastTick, now - longest * MS_PER_HOUR);
      for (const start of opensBetween(s, after, now)) feed.opened(start);
    }
    const wall = this.wall();
    // The first tick after opening only notes the time: clients have the snapshot for it.
    if (
      this.lastTick !== undefined &&
      now !== this.lastTick &&
      (state.speed === 0 || wall - this.lastClockFrame >= CLOCK_FRAME_MS)
    ) {
      feed.clock(state);
      this.lastClockFrame = wall;
    }
    this.lastTick = now;
  }
}

/** Seals pending registrations; a log that cannot take them makes the answer a 503. */
async function sealOrUnavailable(registry: RegistrySealer): Promise<void> {
  try {
    await registry.sealPending();
  } catch (error) {
    throw new GridshareError(
      "E_UNAVAILABLE",
      `the document is recorded, but the ledger could not take its registry block (${(error as Error).message}); it is sealed when the ledger can write again, at the latest at the next start`,
      { cause: error },
    );
  }
}
