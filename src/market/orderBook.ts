/**
 * A limit order book with price-time priority: the engine of the continuous double auction and
 * of the live platform. Orders rest at integer prices (micro-units per kWh) with integer
 * quantities (Wh); an incoming order trades against the best opposite levels at the resting
 * order's price, partially filling as needed, and any remainder rests (or is cancelled when
 * immediate-or-cancel).
 *
 * Every command returns the events it caused, a closed union: expected outcomes such as a
 * rejected order are values, never exceptions.
 *
 * Self-trade prevention: an incoming order never trades with a resting order of the same
 * participant; that resting order is cancelled ("cancel resting") and matching continues.
 *
 * Structure: each side keeps its price levels in an array sorted so that the best level is last
 * (new orders cluster near the touch, so inserts and removals touch the end of the array), each
 * level a FIFO doubly linked list, and a map from order id to resting order for O(1) cancels.
 */
import type { Side } from "./types.js";

/** A new limit order. */
export interface LimitOrder {
  readonly id: string;
  readonly participant: string;
  readonly side: Side;
  /** Wh, a positive integer. */
  readonly quantity: number;
  /** Micro-units per kWh, a non-negative integer. */
  readonly price: number;
  readonly timestampMs: number;
  /** `gtc` rests the remainder (default); `ioc` cancels it. */
  readonly timeInForce?: "gtc" | "ioc";
}

export interface TradeEvent {
  readonly type: "trade";
  /** The incoming (aggressive) order. */
  readonly takerId: string;
  /** The resting order; the trade is at its price. */
  readonly makerId: string;
  readonly buyOrderId: string;
  readonly sellOrderId: string;
  readonly buyer: string;
  readonly seller: string;
  readonly price: number;
  readonly quantity: number;
  readonly timestampMs: number;
}

export interface RestedEvent {
  readonly type: "rested";
  readonly orderId: string;
  readonly remaining: number;
}

export interface CancelledEvent {
  readonly type: "cancelled";
  readonly orderId: string;
  readonly remaining: number;
  readonly reason: "cancel" | "self-trade" | "ioc" | "replaced";
}

export interface RejectedEvent {
  readonly type: "rejected";
  readonly orderId: string;
  readonly reason: string;
}

export interface ModifiedEvent {
  readonly type: "modified";
  readonly orderId: string;
  readonly remaining: number;
}

export type BookEvent = TradeEvent | RestedEvent | CancelledEvent | RejectedEvent | ModifiedEvent;

/** Aggregated quantity at one price. */
export interface DepthLevel {
  readonly price: number;
  readonly quantity: number;
  readonly orders: number;
}

export interface DepthSnapshot {
  readonly bids: DepthLevel[];
  readonly asks: DepthLevel[];
}

/** A resting order as the book stores it. */
export interface RestingOrderView {
  readonly id: string;
  readonly participant: string;
  readonly side: Side;
  readonly price: number;
  readonly remaining: number;
  readonly timestampMs: number;
}

class Resting implements RestingOrderView {
  prev: Resting | null = null;
  next: Resting | null = null;
  constructor(
    readonly id: string,
    readonly participant: string,
    readonly side: Side,
    readonly price: number,
    public remaining: number,
    readonly timestampMs: number,
    public level: Level,
  ) {}
}

class Level {
  head: Resting | null = null;
  tail: Resting | null = null;
  quantity = 0;
  count = 0;
  constructor(
    readonly price: number,
    /** Sort key: price for bids, -price for asks; the ladder is ascending by key. */
    readonly key: number,
  ) {}

  append(o: Resting): void {
    o.prev = this.tail;
    o.next = null;
    if (this.tail) this.tail.next = o;
    else this.head = o;
    this.tail = o;
    this.quantity += o.remaining;
    this.count++;
  }

  unlink(o: Resting): void {
    if (o.prev) o.prev.next = o.next;
    else this.head = o.next;
    if (o.next) o.next.prev = o.prev;
    else this.tail = o.prev;
    o.prev = null;
    o.next = null;
    this.quantity -= o.remaining;
    this.count--;
  }
}

class BookSide {
  /** Levels ascending by key; the best level is last. */
  readonly ladder: Level[] = [];
  readonly byPrice = new Map<number, Level>();
  constructor(readonly isBid: boolean) {}

  best(): Level | undefined {
    return this.ladder[this.ladder.length - 1];
  }

  levelFor(price: number): Level {
    let level = this.byPrice.get(price);
    if (level !== undefined) return level;
    const key = this.isBid ? price : -price;
    level = new Level(price, key);
    this.byPrice.set(price, level);
    const ladder = this.ladder;
    let hi = ladder.length;
    // Fast path: a new best level.
    if (hi === 0 || (ladder[hi - 1] as Level).key < key) {
      ladder.push(level);
      return level;
    }
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ladder[mid] as Level).key < key) lo = mid + 1;
      else hi = mid;
    }
    ladder.splice(lo, 0, level);
    return level;
  }

  removeLevel(level: Level): void {
    this.byPrice.delete(level.price);
    const ladder = this.ladder;
    const last = ladder.length - 1;
    if (ladder[last] === level) {
      ladder.pop();
      return;
    }
    let lo = 0;
    let hi = last;
    const key = level.key;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ladder[mid] as Level).key < key) lo = mid + 1;
      else hi = mid;
    }
    ladder.splice(lo, 1);
  }

  depth(levels: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    for (let i = this.ladder.length - 1; i >= 0 && out.length < levels; i--) {
      const l = this.ladder[i] as Level;
      out.push({ price: l.price, quantity: l.quantity, orders: l.count });
    }
    return out;
  }
}

function rejectReason(o: LimitOrder): string | undefined {
  if (typeof o.id !== "string" || o.id.length === 0) return "id must be a non-empty string";
  if (!Number.isSafeInteger(o.quantity) || o.quantity <= 0)
    return "quantity must be a positive integer (Wh)";
  if (!Number.isSafeInteger(o.price) || o.price < 0)
    return "price must be a non-negative integer (micro-units per kWh)";
  if (o.side !== "buy" && o.side !== "sell") return 'side must be "buy" or "sell"';
  return undefined;
}

/** The order book. Not thread-safe; one book per market. */
export class OrderBook {
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  private readonly orders = new Map<string, Resting>();

  /** Places a limit order: trades what crosses, then rests or cancels the remainder. */
  submit(order: LimitOrder): BookEvent[] {
    const events: BookEvent[] = [];
    const reason = rejectReason(order);
    if (reason !== undefined) {
      events.push({ type: "rejected", orderId: String(order.id), reason });
      return events;
    }
    if (this.orders.has(order.id)) {
      events.push({
        type: "rejected",
        orderId: order.id,
        reason: "an order with this id is already resting",
      });
      return events;
    }
    this.place(
      order.id,
      order.participant,
      order.side,
      order.quantity,
      order.price,
      order.timestampMs,
      order.timeInForce === "ioc",
      events,
    );
    return events;
  }

  private place(
    id: string,
    participant: string,
    side: Side,
    quantity: number,
    price: number,
    timestampMs: number,
    ioc: boolean,
    events: BookEvent[],
  ): void {
    const isBuy = side === "buy";
    const opposite = isBuy ? this.asks : this.bids;
    let left = quantity;
    while (left > 0) {
      const level = opposite.best();
      if (level === undefined) break;
      if (isBuy ? level.price > price : level.price < price) break;
      let maker = level.head;
      while (maker !== null && left > 0) {
        const next = maker.next;
        if (maker.participant === participant) {
          level.unlink(maker);
          this.orders.delete(maker.id);
          events.push({
            type: "cancelled",
            orderId: maker.id,
            remaining: maker.remaining,
            reason: "self-trade",
          });
          maker = next;
          continue;
        }
        const q = Math.min(maker.remaining, left);
        events.push({
          type: "trade",
          takerId: id,
          makerId: maker.id,
          buyOrderId: isBuy ? id : maker.id,
          sellOrderId: isBuy ? maker.id : id,
          buyer: isBuy ? participant : maker.participant,
          seller: isBuy ? maker.participant : participant,
          price: level.price,
          quantity: q,
          timestampMs,
        });
        left -= q;
        if (q === maker.remaining) {
          level.unlink(maker);
          this.orders.delete(maker.id);
        } else {
          maker.remaining -= q;
          level.quantity -= q;
        }
        maker = next;
      }
      if (level.count === 0) opposite.removeLevel(level);
    }
    if (left === 0) return;
    if (ioc) {
      events.push({ type: "cancelled", orderId: id, remaining: left, reason: "ioc" });
      return;
    }
    const own = isBuy ? this.bids : this.asks;
    const level = own.levelFor(price);
    const resting = new Resting(id, participant, side, price, left, timestampMs, level);
    level.append(resting);
    this.orders.set(id, resting);
    events.push({ type: "rested", orderId: id, remaining: left });
  }

  /** Cancels a resting order. */
  cancel(orderId: string): BookEvent {
    const o = this.orders.get(orderId);
    if (o === undefined)
      return { type: "rejected", orderId, reason: "no resting order with this id" };
    this.removeResting(o);
    return { type: "cancelled", orderId, remaining: o.remaining, reason: "cancel" };
  }

  private removeResting(o: Resting): void {
    const level = o.level;
    level.unlink(o);
    this.orders.delete(o.id);
    if (level.count === 0) (o.side === "buy" ? this.bids : this.asks).removeLevel(level);
  }

  /**
   * Changes a resting order. Reducing the quantity at the same price keeps its time priority;
   * a new price or a larger quantity re-enters it as a new order (losing priority, and it may
   * trade at once).
   */
  modify(
    orderId: string,
    change: { quantity?: number; price?: number; timestampMs: number },
  ): BookEvent[] {
    const o = this.orders.get(orderId);
    if (o === undefined)
      return [{ type: "rejected", orderId, reason: "no resting order with this id" }];
    const quantity = change.quantity ?? o.remaining;
    const price = change.price ?? o.price;
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      return [{ type: "rejected", orderId, reason: "quantity must be a positive integer (Wh)" }];
    }
    if (!Number.isSafeInteger(price) || price < 0) {
      return [
        {
          type: "rejected",
          orderId,
          reason: "price must be a non-negative integer (micro-units per kWh)",
        },
      ];
    }
    if (price === o.price && quantity <= o.remaining) {
      o.level.quantity -= o.remaining - quantity;
      o.remaining = quantity;
      return [{ type: "modified", orderId, remaining: quantity }];
    }
    this.removeResting(o);
    const events: BookEvent[] = [
      { type: "cancelled", orderId, remaining: o.remaining, reason: "replaced" },
    ];
    this.place(orderId, o.participant, o.side, quantity, price, change.timestampMs, false, events);
    return events;
  }

  /** Highest bid price, or undefined. */
  bestBid(): number | undefined {
    return this.bids.best()?.price;
  }

  /** Lowest ask price, or undefined. */
  bestAsk(): number | undefined {
    return this.asks.best()?.price;
  }

  /** The best `levels` price levels of each side, best first. */
  depth(levels = 10): DepthSnapshot {
    return { bids: this.bids.depth(levels), asks: this.asks.depth(levels) };
  }

  /** A resting order, or undefined. */
  get(orderId: string): RestingOrderView | undefined {
    return this.orders.get(orderId);
  }

  /** Number of resting orders. */
  get size(): number {
    return this.orders.size;
  }

  /** Every resting order, bids best first, then asks best first, each level in time order. */
  *resting(): IterableIterator<RestingOrderView> {
    for (const side of [this.bids, this.asks]) {
      for (let i = side.ladder.length - 1; i >= 0; i--) {
        for (let o = (side.ladder[i] as Level).head; o !== null; o = o.next) yield o;
      }
    }
  }
}
