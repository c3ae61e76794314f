/**
 * Trades and their ids. A transaction id is derived from the mechanism, the interval and the two
 * matched orders (and a sequence number when the same two orders trade more than once), never
 * random. Computing it costs a SHA-256, so a trade computes its id on first use: clearing a
 * million orders does not pay for ids nobody reads.
 */
import { sha256Hex } from "../core/ids.js";
import { formatInstant, type Interval } from "../core/time.js";
import type { MechanismName, Order, Trade } from "./types.js";

/** Builds ids for the trades of one interval. */
export class TradeIdFactory {
  private readonly prefix: string;

  constructor(mechanism: MechanismName, interval: Interval) {
    this.prefix = `["trade",${JSON.stringify(mechanism)},${JSON.stringify(formatInstant(interval.startMs))},${interval.minutes},`;
  }

  /**
   * The id of a trade between two orders: the first 32 hex digits of SHA-256 over the RFC 8785
   * form of `["trade", mechanism, intervalStart, minutes, buyOrderId, sellOrderId, seq]`, where
   * `seq` counts earlier trades between the same two orders in the interval (0 for the first).
   */
  id(buyOrderId: string, sellOrderId: string, seq = 0): string {
    return sha256Hex(
      `${this.prefix}${JSON.stringify(buyOrderId)},${JSON.stringify(sellOrderId)},${seq}]`,
    ).slice(0, 32);
  }
}

/** A trade between two orders of a clearing input, with its id computed on first use. */
export class LocalTrade implements Trade {
  private id: string | undefined;

  constructor(
    private readonly ids: TradeIdFactory,
    private readonly orders: readonly Order[],
    readonly buyOrderIndex: number,
    readonly sellOrderIndex: number,
    readonly energyWh: number,
    readonly priceMicro: number,
    readonly sellerPriceMicro: number,
    readonly timestampMs: number,
    /** The buy order's limit, micro-units per kWh. */
    readonly buyLimitMicro: number,
    /** The sell order's limit, micro-units per kWh. */
    readonly sellLimitMicro: number,
    private readonly seq = 0,
  ) {}

  get transactionId(): string {
    if (this.id === undefined) this.id = this.ids.id(this.buyOrderId, this.sellOrderId, this.seq);
    return this.id;
  }
  get buyOrderId(): string {
    return (this.orders[this.buyOrderIndex] as Order).id;
  }
  get sellOrderId(): string {
    return (this.orders[this.sellOrderIndex] as Order).id;
  }
  get buyer(): string {
    return (this.orders[this.buyOrderIndex] as Order).participant;
  }
  get seller(): string {
    return (this.orders[this.sellOrderIndex] as Order).participant;
  }
}

/** A trade between orders `buy` and `sell` (indices into `orders`). */
export function tradeBetween(
  ids: TradeIdFactory,
  orders: readonly Order[],
  buy: number,
  sell: number,
  energyWh: number,
  priceMicro: number,
  sellerPriceMicro: number,
  timestampMs: number,
  seq = 0,
): LocalTrade {
  const b = orders[buy] as Order;
  const s = orders[sell] as Order;
  return new LocalTrade(
    ids,
    orders,
    buy,
    sell,
    energyWh,
    priceMicro,
    sellerPriceMicro,
    timestampMs,
    b.limitPriceMicro,
    s.limitPriceMicro,
    seq,
  );
}
