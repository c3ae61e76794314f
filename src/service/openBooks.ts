/**
 * The open orders of each interval not yet cleared, held in memory as the feed's view of the
 * book: per side, the aggregated depth at each price level (energy and order count, never who).
 * Changes come from accepted and cancelled orders (and, with `cda`, fills and withdrawals); `diff` compares the view with the database
 * (after a suspension cancelled orders, say) and names what left it. Pure data, no I/O.
 */
import { fromMicro, whToKwh } from "../core/units.js";
import type { Side } from "../market/types.js";

export interface BookOrder {
  readonly participant: string;
  readonly orderId: string;
  readonly side: Side;
  readonly priceMicro: number;
  readonly energyWh: number;
}

interface Level {
  energyWh: number;
  orders: number;
}

/** One price level as the feed shows it. */
export interface LevelRecord {
  readonly side: Side;
  readonly price_per_kwh: number;
  readonly energy_kwh: number;
  readonly orders: number;
}

const keyOf = (o: { participant: string; orderId: string }) => `${o.participant}\u0000${o.orderId}`;

export class IntervalBook {
  private readonly orders = new Map<string, BookOrder>();
  private readonly levels: Record<Side, Map<number, Level>> = { buy: new Map(), sell: new Map() };
  private readonly count: Record<Side, number> = { buy: 0, sell: 0 };

  get size(): number {
    return this.orders.size;
  }

  has(o: { participant: string; orderId: string }): boolean {
    return this.orders.has(keyOf(o));
  }

  add(o: BookOrder): void {
    const key = keyOf(o);
    if (this.orders.has(key)) return;
    this.orders.set(key, o);
    const level = this.levels[o.side].get(o.priceMicro) ?? { energyWh: 0, orders: 0 };
    level.energyWh += o.energyWh;
    level.orders += 1;
    this.levels[o.side].set(o.priceMicro, level);
    this.count[o.side] += 1;
  }

  /** Removes an order; returns it, or undefined when it was not in the book. */
  remove(o: { participant: string; orderId: string }): BookOrder | undefined {
    const key = keyOf(o);
    const order = this.orders.get(key);
    if (order === undefined) return undefined;
    this.orders.delete(key);
    const level = this.levels[order.side].get(order.priceMicro) as Level;
    level.energyWh -= order.energyWh;
    level.orders -= 1;
    if (level.orders === 0) this.levels[order.side].delete(order.priceMicro);
    this.count[order.side] -= 1;
    return order;
  }

  /** Takes `energyWh` off a resting order (a fill); the order leaves when nothing is left. */
  reduce(o: { participant: string; orderId: string }, energyWh: number): BookOrder | undefined {
    const order = this.orders.get(keyOf(o));
    if (order === undefined) return undefined;
    this.remove(order);
    if (order.energyWh > energyWh) this.add({ ...order, energyWh: order.energyWh - energyWh });
    return order;
  }

  /** The orders in this view but not in `current` (what the database no longer holds open). */
  missingFrom(current: readonly { participant: string; orderId: string }[]): BookOrder[] {
    const keep = new Set(current.map(keyOf));
    return [...this.orders.values()].filter((o) => !keep.has(keyOf(o)));
  }

  level(side: Side, priceMicro: number): LevelRecord {
    const l = this.levels[side].get(priceMicro);
    return {
      side,
      price_per_kwh: fromMicro(priceMicro),
      energy_kwh: whToKwh(l?.energyWh ?? 0),
      orders: l?.orders ?? 0,
    };
  }

  /** Bids from the highest price down, asks from the lowest up. */
  depth(): { bids: LevelRecord[]; asks: LevelRecord[] } {
    const side = (s: Side, order: 1 | -1) =>
      [...this.levels[s].keys()].sort((a, b) => order * (a - b)).map((p) => this.level(s, p));
    return { bids: side("buy", -1), asks: side("sell", 1) };
  }

  counts(): { buy_orders: number; sell_orders: number } {
    return { buy_orders: this.count.buy, sell_orders: this.count.sell };
  }
}
