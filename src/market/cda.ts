/**
 * `cda`: the continuous double auction. The interval's orders are replayed in timestamp order
 * (ties by order id), or as given when the input says so (the server's receive order), through the {@link OrderBook}: each trades at the resting order's price with
 * price-time priority and partial fills, and whatever rests at the end of the interval goes to
 * the grid. Buy orders enter the book at their limit minus the network fee, so a buyer never
 * pays more than its limit all in. A trade's timestamp is the time of the match.
 *
 * {@link CdaBook} is that replay one order at a time: clearing feeds it the whole interval, the
 * live platform feeds it each order as it is accepted, so both match with the same code.
 */
import type { Interval } from "../core/time.js";
import { OrderBook, type RestingOrderView } from "./orderBook.js";
import { TradeIdFactory, tradeBetween } from "./tradeIds.js";
import type { ClearingInput, Mechanism, MechanismOutcome, Order, Trade } from "./types.js";

/** What placing one order did: its trades, and the resting orders self-trade prevention removed. */
export interface Placed {
  readonly trades: readonly Trade[];
  readonly withdrawn: readonly string[];
}

/** One interval's continuous book, fed orders in sequence. */
export class CdaBook {
  private readonly book = new OrderBook();
  private readonly ids: TradeIdFactory;
  private readonly indexOf = new Map<string, number>();
  private readonly pairSeq = new Map<string, number>();
  private readonly filled = new Map<string, number>();
  /** Every trade so far, in the order made. */
  readonly trades: Trade[] = [];

  /**
   * @param orders the orders `place` refers to by index; a live book passes a list it grows
   *   with {@link add}.
   */
  constructor(
    interval: Interval,
    private readonly networkFeeMicro: number,
    private readonly orders: readonly Order[] | Order[] = [],
  ) {
    this.ids = new TradeIdFactory("cda", interval);
  }

  /** Appends `order` to the book's list and places it. */
  add(order: Order): Placed {
    (this.orders as Order[]).push(order);
    return this.place(this.orders.length - 1);
  }

  /** Places `orders[index]`, the next in sequence: trades what crosses, rests the remainder. */
  place(index: number): Placed {
    const o = this.orders[index] as Order;
    this.indexOf.set(o.id, index);
    const price = o.side === "buy" ? o.limitPriceMicro - this.networkFeeMicro : o.limitPriceMicro;
    // A bid below the fee cannot trade locally; it goes to the grid.
    if (price < 0) return { trades: [], withdrawn: [] };
    const events = this.book.submit({
      id: o.id,
      participant: o.participant,
      side: o.side,
      quantity: o.energyWh,
      price,
      timestampMs: o.timestampMs,
    });
    const trades: Trade[] = [];
    const withdrawn: string[] = [];
    for (const e of events) {
      if (e.type === "cancelled" && e.reason === "self-trade") withdrawn.push(e.orderId);
      if (e.type !== "trade") continue;
      // Within one interval two orders meet again only after a modify; seq keeps ids unique.
      const pair = `${e.buyOrderId}\u0000${e.sellOrderId}`;
      const seq = this.pairSeq.get(pair) ?? 0;
      this.pairSeq.set(pair, seq + 1);
      const buy = this.indexOf.get(e.buyOrderId) as number;
      const sell = this.indexOf.get(e.sellOrderId) as number;
      this.filled.set(e.buyOrderId, (this.filled.get(e.buyOrderId) ?? 0) + e.quantity);
      this.filled.set(e.sellOrderId, (this.filled.get(e.sellOrderId) ?? 0) + e.quantity);
      trades.push(
        tradeBetween(
          this.ids,
          this.orders,
          buy,
          sell,
          e.quantity,
          e.price,
          e.price,
          e.timestampMs,
          seq,
        ),
      );
    }
    this.trades.push(...trades);
    return { trades, withdrawn };
  }

  /** Energy the order has traded so far, Wh. */
  filledWh(orderId: string): number {
    return this.filled.get(orderId) ?? 0;
  }

  /** Takes a resting order out of the book; false when none rests under this id. */
  withdraw(orderId: string): boolean {
    return this.book.cancel(orderId).type === "cancelled";
  }

  /** A resting order (its remainder and book price), or undefined. */
  resting(orderId: string): RestingOrderView | undefined {
    return this.book.get(orderId);
  }
}

export function clearCda(input: ClearingInput): MechanismOutcome {
  const { orders } = input;
  const indices = orders.map((_, i) => i);
  const sorted =
    input.sequence === "given"
      ? indices
      : indices.sort((x, y) => {
          const a = orders[x] as Order;
          const b = orders[y] as Order;
          return a.timestampMs - b.timestampMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        });
  const book = new CdaBook(input.interval, input.grid.networkFeeMicro, orders);
  for (const i of sorted) book.place(i);
  return {
    trades: book.trades,
    prices: { clearingPriceMicro: null, buyPriceMicro: null, sellPriceMicro: null },
  };
}

export const cda: Mechanism = {
  name: "cda",
  kind: "continuous",
  defaultKPpm: null,
  splitPrices: false,
  allowsBothSides: true,
  clear: clearCda,
};
