/**
 * The continuous books of a `cda` community: one {@link CdaBook} per interval taking orders, fed
 * each accepted order in receive order (`received_seq`), the same replay gate closure and the
 * ledger's verification run over the interval's block. A book is built on first use from the
 * interval's stored open orders in receive order, so a restarted server matches on from where
 * it stopped. The books are changed only in their lane (`inLane`): an order's commit and its
 * matching, a cancel's check and its commit, a suspension's check and its commit never
 * interleave, so the receive order is the matching order.
 *
 * Fills are final: an order with any fill stays in the interval, so that the block's replay
 * makes exactly the trades the live book made (see docs/ledger.md).
 */
import { kwhToWh, toMicro } from "../core/units.js";
import type { SignedOrder } from "../ledger/envelope.js";
import { CdaBook } from "../market/cda.js";
import { orderFromDocument } from "../market/orderDocument.js";
import type { GridTariff, Side, Trade } from "../market/types.js";
import type { CommunityStore } from "../store/communityStore.js";
import type { BookOrder } from "./openBooks.js";

/** One side of one trade, as its order's owner learns of it. */
export interface LiveFill {
  readonly participant: string;
  readonly orderId: string;
  readonly side: Side;
  /** This trade's energy, Wh. */
  readonly energyWh: number;
  /** The trade's price per kWh, micro-units (a buyer pays the network fee on top). */
  readonly priceMicro: number;
  /** The order's energy traded so far, Wh, and its whole energy. */
  readonly filledWh: number;
  readonly orderEnergyWh: number;
  readonly transactionId: string;
}

/** What placing one accepted order did to its interval's book. */
export interface Placement {
  readonly fills: readonly LiveFill[];
  /** The incoming order's energy left resting, Wh (0 when it filled or cannot trade locally). */
  readonly restingWh: number;
  /** Resting orders the book let go (self-trade prevention), with what they had left. */
  readonly withdrawn: readonly BookOrder[];
}

/** An accepted order, as the books take it. */
export interface BookEntry {
  readonly participant: string;
  readonly orderId: string;
  readonly envelope: SignedOrder;
}

interface Meta {
  readonly participant: string;
  readonly side: Side;
  readonly energyWh: number;
  readonly priceMicro: number;
}

/** One open interval's book. */
export class IntervalCda {
  private readonly meta = new Map<string, Meta>();

  constructor(readonly book: CdaBook) {}

  /** Matches `o`, the next order received for this interval. */
  place(o: BookEntry): Placement {
    const doc = o.envelope.order;
    const meta: Meta = {
      participant: o.participant,
      side: doc.side,
      energyWh: kwhToWh(doc.energy_kwh),
      priceMicro: toMicro(doc.price_per_kwh),
    };
    this.meta.set(o.orderId, meta);
    const placed = this.book.add(orderFromDocument(doc));
    // Each fill carries its order's energy traded up to and with it.
    const before = new Map<string, number>();
    for (const t of placed.trades)
      for (const id of [t.buyOrderId, t.sellOrderId])
        before.set(id, (before.get(id) ?? this.book.filledWh(id)) - t.energyWh);
    const fills: LiveFill[] = [];
    for (const t of placed.trades)
      fills.push(this.fill(t, "buy", before), this.fill(t, "sell", before));
    const withdrawn = placed.withdrawn.map((id) => this.bookOrder(id, this.remainingAfter(id)));
    return { fills, restingWh: this.book.resting(o.orderId)?.remaining ?? 0, withdrawn };
  }

  private remainingAfter(orderId: string): number {
    const m = this.meta.get(orderId) as Meta;
    return m.energyWh - this.book.filledWh(orderId);
  }

  private bookOrder(orderId: string, energyWh: number): BookOrder {
    const m = this.meta.get(orderId) as Meta;
    return {
      participant: m.participant,
      orderId,
      side: m.side,
      priceMicro: m.priceMicro,
      energyWh,
    };
  }

  private fill(t: Trade, side: Side, filled: Map<string, number>): LiveFill {
    const orderId = side === "buy" ? t.buyOrderId : t.sellOrderId;
    const m = this.meta.get(orderId) as Meta;
    const filledWh = (filled.get(orderId) as number) + t.energyWh;
    filled.set(orderId, filledWh);
    return {
      participant: m.participant,
      orderId,
      side,
      energyWh: t.energyWh,
      priceMicro: side === "buy" ? t.priceMicro : t.sellerPriceMicro,
      filledWh,
      orderEnergyWh: m.energyWh,
      transactionId: t.transactionId,
    };
  }

  /** Energy `participant`'s order `orderId` has traded, Wh (0 for an order not its). */
  filledWh(participant: string, orderId: string): number {
    return this.meta.get(orderId)?.participant === participant ? this.book.filledWh(orderId) : 0;
  }

  /** Takes an order without fills out of the book (cancelled or replaced). */
  withdraw(orderId: string): void {
    if (this.book.filledWh(orderId) > 0)
      throw new Error(`order ${orderId} has fills: a cda fill is final`);
    this.book.withdraw(orderId);
  }

  /** The participant's orders in this interval that have traded. */
  filledOrders(participant: string): string[] {
    const out: string[] = [];
    for (const [id, m] of this.meta)
      if (m.participant === participant && this.book.filledWh(id) > 0) out.push(id);
    return out;
  }

  /** Takes every resting order of `participant` out (a suspension; none has fills). */
  withdrawParticipant(participant: string): void {
    for (const [id, m] of this.meta) if (m.participant === participant) this.withdraw(id);
  }

  /** What rests, as the public depth shows it (each order's limit and its energy left). */
  resting(): BookOrder[] {
    const out: BookOrder[] = [];
    for (const id of this.meta.keys()) {
      const r = this.book.resting(id);
      if (r !== undefined) out.push(this.bookOrder(id, r.remaining));
    }
    return out;
  }

  /** Every trade the book has made, in the order made. */
  get trades(): readonly Trade[] {
    return this.book.trades;
  }
}

export class LiveBooks {
  private readonly books = new Map<number, IntervalCda>();
  private lane: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: CommunityStore,
    private readonly intervalMinutes: number,
    private readonly tariffAt: (intervalStartMs: number) => GridTariff,
  ) {}

  /** Runs `work` after every earlier book work has finished. */
  inLane<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lane.then(work, work);
    this.lane = next.catch(() => undefined);
    return next;
  }

  /** The interval's book, built from its stored open orders in receive order on first use. */
  async bookOf(startMs: number): Promise<IntervalCda> {
    const known = this.books.get(startMs);
    if (known !== undefined) return known;
    const interval = { startMs, minutes: this.intervalMinutes };
    const book = new IntervalCda(new CdaBook(interval, this.tariffAt(startMs).networkFeeMicro));
    for (const o of await this.store.openOrders(startMs)) book.place(o);
    // Another caller may have built it meanwhile (outside the lane): keep the first.
    const raced = this.books.get(startMs);
    if (raced !== undefined) return raced;
    this.books.set(startMs, book);
    return book;
  }

  /** The book of an interval already built, if any. */
  built(startMs: number): IntervalCda | undefined {
    return this.books.get(startMs);
  }

  /** Every interval's book built so far. */
  get all(): ReadonlyMap<number, IntervalCda> {
    return this.books;
  }

  /** Forgets a cleared interval's book: whatever rested expired at its gate. */
  drop(startMs: number): void {
    this.books.delete(startMs);
  }
}
