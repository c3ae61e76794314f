/**
 * What the three community pricing schemes (`sdr`, `mmr`, `bill-sharing`) share. They price each
 * participant's net position from the grid tariffs instead of matching bids (limit prices are
 * ignored): the local energy is the smaller of total demand D and total supply S, it changes
 * hands at one local price, and the rest goes to or comes from the grid at its tariffs.
 *
 * Trade records pair sellers and buyers pro rata: each buyer receives a share of every seller's
 * local energy in proportion to its demand, so every local kWh has a seller and a buyer.
 *
 * The network fee sits between buyer and seller: the schemes run on the import price net of the
 * fee, `λb' = λb − fee`, so that buyers pay at most the import price all in. When `λb' <= λs`
 * local trade cannot beat the grid for both sides and nothing is traded.
 */
import { bigDivHalfEven } from "../core/units.js";
import { apportion, proRataMatrix } from "./apportion.js";
import { TradeIdFactory, tradeBetween } from "./tradeIds.js";
import type {
  AnnouncedPrices,
  ClearingInput,
  Mechanism,
  MechanismName,
  MechanismOutcome,
  Order,
  Trade,
} from "./types.js";

/** Totals a community scheme prices from. */
export interface NetPositions {
  /** Indices of the buy orders in the input, by order id. */
  readonly buys: readonly number[];
  /** Indices of the sell orders in the input, by order id. */
  readonly sells: readonly number[];
  /** Total demand, Wh. */
  readonly demandWh: number;
  /** Total supply, Wh. */
  readonly supplyWh: number;
  /** Import price net of the network fee, micro-units per kWh. */
  readonly importNetMicro: number;
  readonly exportMicro: number;
}

export function netPositions(input: ClearingInput): NetPositions {
  const { orders } = input;
  const byId = (a: number, b: number) => {
    const x = (orders[a] as Order).id;
    const y = (orders[b] as Order).id;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const buys: number[] = [];
  const sells: number[] = [];
  let demandWh = 0;
  let supplyWh = 0;
  orders.forEach((o, i) => {
    if (o.side === "buy") {
      buys.push(i);
      demandWh += o.energyWh;
    } else {
      sells.push(i);
      supplyWh += o.energyWh;
    }
  });
  buys.sort(byId);
  sells.sort(byId);
  return {
    buys,
    sells,
    demandWh,
    supplyWh,
    importNetMicro: input.grid.importPriceMicro - input.grid.networkFeeMicro,
    exportMicro: input.grid.exportPriceMicro,
  };
}

/** True when local trade can happen at all. */
export function canTradeLocally(n: NetPositions): boolean {
  return n.demandWh > 0 && n.supplyWh > 0 && n.importNetMicro > n.exportMicro;
}

/** `round_half_even(num / den)` for a ratio of big integers, as a number. */
export function ratio(num: bigint, den: bigint): number {
  return Number(bigDivHalfEven(num, den));
}

/**
 * Blended prices over each side's whole position: buyers pay `localPrice + fee` on their local
 * share and the import price on the rest; sellers receive `localPrice` on their local share and
 * the feed-in price on the rest. Micro-units per kWh, half-even.
 */
export function blendedPrices(
  input: ClearingInput,
  n: NetPositions,
  localPriceMicro: number,
): AnnouncedPrices {
  const local = BigInt(Math.min(n.demandWh, n.supplyWh));
  const d = BigInt(n.demandWh);
  const s = BigInt(n.supplyWh);
  const fee = BigInt(input.grid.networkFeeMicro);
  const p = BigInt(localPriceMicro);
  const buy = ratio(local * (p + fee) + (d - local) * BigInt(input.grid.importPriceMicro), d);
  const sell = ratio(local * p + (s - local) * BigInt(n.exportMicro), s);
  return { clearingPriceMicro: null, buyPriceMicro: buy, sellPriceMicro: sell };
}

/** Pro-rata trades at one local price for both sides. */
export function proRataOutcome(
  input: ClearingInput,
  mechanism: MechanismName,
  n: NetPositions,
  localPriceMicro: number,
): MechanismOutcome {
  const local = Math.min(n.demandWh, n.supplyWh);
  const { orders } = input;
  const at = (i: number) => orders[i] as Order;
  const buyLocal = apportion(
    local,
    n.buys.map((i) => at(i).energyWh),
    n.buys.map((i) => at(i).id),
  );
  const sellLocal = apportion(
    local,
    n.sells.map((i) => at(i).energyWh),
    n.sells.map((i) => at(i).id),
  );
  const matrix = proRataMatrix(buyLocal, sellLocal);
  const ids = new TradeIdFactory(mechanism, input.interval);
  const trades: Trade[] = [];
  for (let i = 0; i < n.buys.length; i++) {
    const buy = n.buys[i] as number;
    const row = matrix[i] as number[];
    for (let j = 0; j < n.sells.length; j++) {
      const q = row[j] as number;
      if (q === 0) continue;
      const sell = n.sells[j] as number;
      trades.push(
        tradeBetween(
          ids,
          orders,
          buy,
          sell,
          q,
          localPriceMicro,
          localPriceMicro,
          input.interval.startMs,
        ),
      );
    }
  }
  return { trades, prices: blendedPrices(input, n, localPriceMicro) };
}

export const NO_TRADE: MechanismOutcome = {
  trades: [],
  prices: { clearingPriceMicro: null, buyPriceMicro: null, sellPriceMicro: null },
};

/**
 * A community scheme as a mechanism: net positions, nothing traded when local trade cannot beat
 * the grid for both sides, else pro-rata trades at the local price the scheme sets.
 */
export function communityScheme(
  name: MechanismName,
  localPriceMicro: (n: NetPositions) => number,
): Mechanism {
  return {
    name,
    kind: "community",
    defaultKPpm: null,
    splitPrices: true,
    allowsBothSides: false,
    clear: (input) => {
      const n = netPositions(input);
      if (!canTradeLocally(n)) return NO_TRADE;
      return proRataOutcome(input, name, n, localPriceMicro(n));
    },
  };
}
