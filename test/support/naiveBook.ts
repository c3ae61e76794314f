/**
 * A deliberately naive order book: a flat list scanned on every command. Slow and obviously
 * right; the optimised OrderBook is checked against it on random command streams.
 */
import type { BookEvent, DepthSnapshot, LimitOrder } from "../../src/market/orderBook.js";
import type { Side } from "../../src/market/types.js";

interface NaiveOrder {
  id: string;
  participant: string;
  side: Side;
  price: number;
  remaining: number;
  seq: number;
}

export class NaiveBook {
  private list: NaiveOrder[] = [];
  private seq = 0;

  private best(side: Side): NaiveOrder | undefined {
    let best: NaiveOrder | undefined;
    for (const o of this.list) {
      if (o.side !== side) continue;
      if (
        best === undefined ||
        (side === "buy" ? o.price > best.price : o.price < best.price) ||
        (o.price === best.price && o.seq < best.seq)
      ) {
        best = o;
      }
    }
    return best;
  }

  submit(order: LimitOrder): BookEvent[] {
    const events: BookEvent[] = [];
    if (this.list.some((o) => o.id === order.id)) {
      return [
        { type: "rejected", orderId: order.id, reason: "an order with this id is already resting" },
      ];
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
    ts: number,
    ioc: boolean,
    events: BookEvent[],
  ): void {
    const other: Side = side === "buy" ? "sell" : "buy";
    let left = quantity;
    while (left > 0) {
      const m = this.best(other);
      if (!m) break;
      if (side === "buy" ? m.price > price : m.price < price) break;
      if (m.participant === participant) {
        this.list = this.list.filter((o) => o !== m);
        events.push({
          type: "cancelled",
          orderId: m.id,
          remaining: m.remaining,
          reason: "self-trade",
        });
        continue;
      }
      const q = Math.min(left, m.remaining);
      events.push({
        type: "trade",
        takerId: id,
        makerId: m.id,
        buyOrderId: side === "buy" ? id : m.id,
        sellOrderId: side === "buy" ? m.id : id,
        buyer: side === "buy" ? participant : m.participant,
        seller: side === "buy" ? m.participant : participant,
        price: m.price,
        quantity: q,
        timestampMs: ts,
      });
      left -= q;
      m.remaining -= q;
      if (m.remaining === 0) this.list = this.list.filter((o) => o !== m);
    }
    if (left === 0) return;
    if (ioc) {
      events.push({ type: "cancelled", orderId: id, remaining: left, reason: "ioc" });
      return;
    }
    this.list.push({ id, participant, side, price, remaining: left, seq: this.seq++ });
    events.push({ type: "rested", orderId: id, remaining: left });
  }

  cancel(id: string): BookEvent {
    const o = this.list.find((x) => x.id === id);
    if (!o) return { type: "rejected", orderId: id, reason: "no resting order with this id" };
    this.list = this.list.filter((x) => x !== o);
    return { type: "cancelled", orderId: id, remaining: o.remaining, reason: "cancel" };
  }

  modify(
    id: string,
    change: { quantity?: number; price?: number; timestampMs: number },
  ): BookEvent[] {
    const o = this.list.find((x) => x.id === id);
    if (!o) return [{ type: "rejected", orderId: id, reason: "no resting order with this id" }];
    const quantity = change.quantity ?? o.remaining;
    const price = change.price ?? o.price;
    if (price === o.price && quantity <= o.remaining) {
      o.remaining = quantity;
      return [{ type: "modified", orderId: id, remaining: quantity }];
    }
    this.list = this.list.filter((x) => x !== o);
    const events: BookEvent[] = [
      { type: "cancelled", orderId: id, remaining: o.remaining, reason: "replaced" },
    ];
    this.place(id, o.participant, o.side, quantity, price, change.timestampMs, false, events);
    return events;
  }

  depth(levels: number): DepthSnapshot {
    const side = (s: Side) => {
      const byPrice = new Map<number, { quantity: number; orders: number }>();
      for (const o of this.list) {
        if (o.side !== s) continue;
        const l = byPrice.get(o.price) ?? { quantity: 0, orders: 0 };
        l.quantity += o.remaining;
        l.orders++;
        byPrice.set(o.price, l);
      }
      return [...byPrice.entries()]
        .sort((a, b) => (s === "buy" ? b[0] - a[0] : a[0] - b[0]))
        .slice(0, levels)
        .map(([price, l]) => ({ price, quantity: l.quantity, orders: l.orders }));
    };
    return { bids: side("buy"), asks: side("sell") };
  }
}
