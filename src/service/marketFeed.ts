/**
 * What the live market publishes, channel by channel (see docs/platform.md, "The live feed"):
 *
 * - `clock`: the market's time; `intervals`: an interval opening, its gate closing, its clearing;
 * - `book:<interval start>`: the aggregated depth per price level (or, with `book_visibility:
 *   "counts"`, only how many orders each side holds), never who placed what; a snapshot on
 *   subscribe, then deltas, each carrying the new totals of the levels it touched;
 * - `trades`: each cleared interval's trades, in pages of at most 500; `heads`: each signed head;
 * - `orders:<participant>`: one member's orders accepted, cancelled and, at clearing, filled (in
 *   part), unfilled or rejected; with `cda`, also each fill the moment the book makes it (its
 *   energy and price): private, sent only to that member's session.
 *
 * Nothing private reaches a public channel: identities appear only on the trades tape, after the
 * interval has cleared.
 */
import { formatInstant } from "../core/time.js";
import { fromMicro, whToKwh } from "../core/units.js";
import { tradeRecords } from "../ledger/queries.js";
import type { ClockState, CommunityStore, OrderStatus } from "../store/communityStore.js";
import type { Feed } from "./feed.js";
import type { ClosedInterval, DurableBlock } from "./gateClosure.js";
import type { LiveFill } from "./liveBooks.js";
import { type BookOrder, IntervalBook, type LevelRecord } from "./openBooks.js";
import { gateClosesAt, openIntervals, type Schedule } from "./schedule.js";

export type BookVisibility = "depth" | "counts";

/** Trades per frame of the `trades` channel. */
export const TRADES_PER_FRAME = 500;

export const CHANNELS = {
  clock: "clock",
  intervals: "intervals",
  trades: "trades",
  heads: "heads",
  book: (startMs: number) => `book:${formatInstant(startMs)}`,
  orders: (participant: string) => `orders:${participant}`,
} as const;

/** An accepted order, as the feed learns of it. */
export interface AcceptedOrder extends BookOrder {
  readonly intervalStartMs: number;
  readonly receivedSeq: number;
}

export class MarketFeed {
  private readonly books = new Map<number, IntervalBook>();

  constructor(
    readonly feed: Feed,
    /** The schedule in force (community updates change it from later intervals on). */
    private readonly scheduleNow: Schedule | (() => Schedule),
    private readonly visibility: BookVisibility,
  ) {}

  private get schedule(): Schedule {
    return typeof this.scheduleNow === "function" ? this.scheduleNow() : this.scheduleNow;
  }

  /** Loads the open orders of every interval taking orders at `now`. */
  async load(store: CommunityStore, now: number): Promise<void> {
    for (const start of openIntervals(this.schedule, now)) {
      const orders = await store.openOrders(start);
      if (orders.length === 0) continue;
      const book = this.bookOf(start);
      for (const o of orders) book.add(o);
    }
  }

  private bookOf(startMs: number): IntervalBook {
    let book = this.books.get(startMs);
    if (book === undefined) {
      book = new IntervalBook();
      this.books.set(startMs, book);
    }
    return book;
  }

  /** The book of one interval as a snapshot shows it (empty when it holds nothing). */
  bookView(startMs: number) {
    const book = this.books.get(startMs) ?? new IntervalBook();
    const body = this.visibility === "depth" ? book.depth() : book.counts();
    return { interval_start: formatInstant(startMs), visibility: this.visibility, ...body };
  }

  private levelsView(book: IntervalBook, touched: readonly BookOrder[]) {
    if (this.visibility === "counts") return book.counts();
    const seen = new Set<string>();
    const levels: LevelRecord[] = [];
    for (const o of touched) {
      const key = `${o.side}:${o.priceMicro}`;
      if (seen.has(key)) continue;
      seen.add(key);
      levels.push(book.level(o.side, o.priceMicro));
    }
    return { levels };
  }

  /**
   * Sets the book of one interval as it is (with `cda`, what rests after the fills the stored
   * orders replay to), before any frame of it: at start, after `load`.
   */
  restore(startMs: number, resting: readonly BookOrder[]): void {
    const book = new IntervalBook();
    for (const o of resting) book.add(o);
    this.books.set(startMs, book);
  }

  /**
   * An order accepted; `restingWh` is what of it rests in the book (with `cda`, its energy left
   * after it matched; all of it otherwise).
   */
  accepted(o: AcceptedOrder, restingWh = o.energyWh): void {
    const book = this.bookOf(o.intervalStartMs);
    const rests = { ...o, energyWh: restingWh };
    if (restingWh > 0)
      this.feed.publish(
        CHANNELS.book(o.intervalStartMs),
        "delta",
        () => ({ interval_start: formatInstant(o.intervalStartMs), ...this.levelsView(book, [o]) }),
        () => book.add(rests),
      );
    this.feed.publish(CHANNELS.orders(o.participant), "accepted", () => ({
      order_id: o.orderId,
      interval_start: formatInstant(o.intervalStartMs),
      side: o.side,
      energy_kwh: whToKwh(o.energyWh),
      price_per_kwh: fromMicro(o.priceMicro),
      received_seq: o.receivedSeq,
      status: "open",
    }));
  }

  /**
   * With `cda`, what one accepted order (`takerId`) matched: the resting orders it filled lose
   * that energy from the public depth, those self-trade prevention let go leave it, and each
   * owner learns of its fill at once, privately. The public tape gets the trades at clearing.
   */
  filled(
    startMs: number,
    takerId: string,
    fills: readonly LiveFill[],
    withdrawn: readonly BookOrder[],
  ): void {
    if (fills.length === 0 && withdrawn.length === 0) return;
    const book = this.bookOf(startMs);
    const touched: BookOrder[] = [];
    this.feed.publish(
      CHANNELS.book(startMs),
      "delta",
      () => ({ interval_start: formatInstant(startMs), ...this.levelsView(book, touched) }),
      () => {
        for (const f of fills) {
          if (f.orderId === takerId) continue;
          const hit = book.reduce(f, f.energyWh);
          if (hit !== undefined) touched.push(hit);
        }
        for (const o of withdrawn) {
          const gone = book.remove(o);
          if (gone !== undefined) touched.push(gone);
        }
      },
    );
    for (const f of fills) {
      const status = f.filledWh >= f.orderEnergyWh ? "filled" : "partially_filled";
      this.feed.publish(CHANNELS.orders(f.participant), status, () => ({
        order_id: f.orderId,
        interval_start: formatInstant(startMs),
        side: f.side,
        energy_kwh: whToKwh(f.energyWh),
        price_per_kwh: fromMicro(f.priceMicro),
        filled_kwh: whToKwh(f.filledWh),
        remaining_kwh: whToKwh(f.orderEnergyWh - f.filledWh),
        transaction_id: f.transactionId,
        status,
      }));
    }
  }

  /** Orders that left the book unfilled: cancelled by their owner, or by a suspension. */
  cancelled(startMs: number, orders: readonly { participant: string; orderId: string }[]): void {
    if (orders.length === 0) return;
    const book = this.bookOf(startMs);
    const removed: BookOrder[] = [];
    this.feed.publish(
      CHANNELS.book(startMs),
      "delta",
      () => ({ interval_start: formatInstant(startMs), ...this.levelsView(book, removed) }),
      () => {
        for (const o of orders) {
          const gone = book.remove(o);
          if (gone !== undefined) removed.push(gone);
        }
      },
    );
    for (const o of orders)
      this.feed.publish(CHANNELS.orders(o.participant), "cancelled", () => ({
        order_id: o.orderId,
        interval_start: formatInstant(startMs),
        status: "cancelled",
      }));
  }

  /**
   * Brings every open interval's view in line with the database's open orders (after a
   * suspension cancelled a member's orders): what left is published as cancelled.
   */
  async resync(store: CommunityStore): Promise<void> {
    for (const [start, book] of this.books) {
      const gone = book.missingFrom(await store.openOrders(start));
      this.cancelled(start, gone);
    }
  }

  clock(state: ClockState): void {
    this.feed.publish(CHANNELS.clock, "clock", () => clockRecord(state));
  }

  opened(startMs: number): void {
    this.feed.publish(CHANNELS.intervals, "open", () => ({
      start: formatInstant(startMs),
      gate_closes_at: formatInstant(gateClosesAt(this.schedule, startMs)),
      status: "open",
    }));
  }

  gateClosed(startMs: number): void {
    this.feed.publish(CHANNELS.intervals, "gate_closed", () => ({
      start: formatInstant(startMs),
      gate_closed_at: formatInstant(gateClosesAt(this.schedule, startMs)),
      status: "gate_closed",
    }));
  }

  /** An interval cleared, its block durable: statuses and tape, and its book closes. */
  cleared(closed: ClosedInterval): void {
    const start = closed.intervalStartMs;
    const at = formatInstant(start);
    this.feed.publish(
      CHANNELS.book(start),
      "closed",
      () => ({ interval_start: at, status: "cleared" }),
      () => this.books.delete(start),
    );
    for (const s of closed.statuses) this.orderSettled(start, s);
    this.feed.publish(CHANNELS.intervals, "cleared", () => ({
      start: at,
      status: "cleared",
      block_height: closed.blockHeight,
      orders: closed.orders,
    }));
    if (closed.payload === undefined) return;
    const trades = tradeRecords([closed.payload]);
    const pages = Math.max(1, Math.ceil(trades.length / TRADES_PER_FRAME));
    for (let page = 0; page < pages; page++)
      this.feed.publish(CHANNELS.trades, "trades", () => ({
        interval_start: at,
        block_height: closed.blockHeight,
        page: page + 1,
        pages,
        trades: trades.slice(page * TRADES_PER_FRAME, (page + 1) * TRADES_PER_FRAME),
      }));
  }

  /** A block durable in the log, registry or clearing: its signed head. */
  block(block: DurableBlock): void {
    this.feed.publish(CHANNELS.heads, "head", () => ({ height: block.height, head: block.head }));
  }

  private orderSettled(
    startMs: number,
    s: { participant: string; orderId: string; status: OrderStatus },
  ): void {
    this.feed.publish(CHANNELS.orders(s.participant), s.status, () => ({
      order_id: s.orderId,
      interval_start: formatInstant(startMs),
      status: s.status,
    }));
  }
}

/** The clock as `GET /v1/clock` and the `clock` channel show it. */
export function clockRecord(state: ClockState) {
  return {
    now: formatInstant(state.now),
    speed: state.speed,
    started_at: formatInstant(state.startedAt),
  };
}
