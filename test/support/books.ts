/** Random order books for property tests, and small helpers to build orders by hand. */
import fc from "fast-check";
import { kwhToWh, toMicro } from "../../src/core/units.js";
import type { ClearingInput, GridTariff, Order, Side } from "../../src/market/types.js";

export const T0 = Date.UTC(2026, 5, 1, 12);

/** An order from decimal kWh and currency per kWh. */
export function order(
  id: string,
  participant: string,
  side: Side,
  energyKwh: number,
  pricePerKwh: number,
  secondsBefore = 0,
): Order {
  return {
    id,
    participant,
    side,
    energyWh: kwhToWh(energyKwh),
    limitPriceMicro: toMicro(pricePerKwh),
    timestampMs: T0 - secondsBefore * 1000,
  };
}

export function grid(importPrice: number, exportPrice: number, fee = 0): GridTariff {
  return {
    importPriceMicro: toMicro(importPrice),
    exportPriceMicro: toMicro(exportPrice),
    networkFeeMicro: toMicro(fee),
  };
}

export function book(orders: Order[], tariff: GridTariff = grid(0.3, 0.05)): ClearingInput {
  return { interval: { startMs: T0, minutes: 15 }, grid: tariff, orders };
}

export interface BookShape {
  /** Number of distinct participants to draw from. */
  readonly participants?: number;
  readonly maxOrders?: number;
  readonly maxEnergyWh?: number;
  readonly maxPriceMicro?: number;
  /** Every participant on one side only (required by call auctions and community schemes). */
  readonly oneSidePerParticipant?: boolean;
  readonly maxFeeMicro?: number;
}

/** Random books: ids unique, a few distinct timestamps so that ties happen, prices often equal. */
export function arbitraryBook(shape: BookShape = {}): fc.Arbitrary<ClearingInput> {
  const participants = shape.participants ?? 8;
  const maxEnergy = shape.maxEnergyWh ?? 5000;
  const maxPrice = shape.maxPriceMicro ?? 400_000;
  const oneSide = shape.oneSidePerParticipant ?? true;
  const orderArb = fc.record({
    p: fc.integer({ min: 0, max: participants - 1 }),
    sideBit: fc.boolean(),
    energyWh: fc.integer({ min: 1, max: maxEnergy }),
    price: fc.oneof(
      fc.integer({ min: 1, max: maxPrice }),
      fc.constantFrom(
        ...[0.1, 0.2, 0.3, 0.5, 0.8].map((f) => Math.max(1, Math.round(f * maxPrice))),
      ),
    ),
    t: fc.integer({ min: 0, max: 3 }),
    idTag: fc.string({ minLength: 1, maxLength: 4 }),
  });
  return fc
    .record({
      orders: fc.array(orderArb, { maxLength: shape.maxOrders ?? 24 }),
      importPrice: fc.integer({ min: 1, max: maxPrice }),
      exportPrice: fc.integer({ min: 0, max: maxPrice }),
      fee: fc.integer({ min: 0, max: shape.maxFeeMicro ?? 30_000 }),
    })
    .map(({ orders, importPrice, exportPrice, fee }) => ({
      interval: { startMs: T0, minutes: 15 },
      grid: { importPriceMicro: importPrice, exportPriceMicro: exportPrice, networkFeeMicro: fee },
      orders: orders.map((o, i) => ({
        id: `${o.idTag}#${i}`,
        participant: `h${o.p}`,
        side: (oneSide ? o.p % 2 === 0 : o.sideBit) ? ("buy" as const) : ("sell" as const),
        energyWh: o.energyWh,
        limitPriceMicro: o.price,
        timestampMs: T0 - o.t * 1000,
      })),
    }));
}

/** The same book with its orders in another order. */
export function permuted(input: ClearingInput, seed: number): ClearingInput {
  const orders = [...input.orders];
  let s = seed >>> 0;
  for (let i = orders.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [orders[i], orders[j]] = [orders[j] as Order, orders[i] as Order];
  }
  return { ...input, orders };
}
