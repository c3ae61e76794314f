/**
 * Trading agents: how a home turns its net position in an interval into a limit price, and what
 * it learns from the market's outcome. An agent sees only what a real device would: its own
 * position, the tariff of the interval, and the outcomes of past intervals (never the future).
 *
 * - `truthful`: the limit at the home's marginal value: the import price to buy, the feed-in
 *   price to sell.
 * - `zi-c`: zero intelligence, constrained (Gode & Sunder 1993): a uniformly random limit that can
 *   never make a loss: buyers between the feed-in price and their value, sellers between their
 *   cost and the import price.
 * - `zip`: zero intelligence plus (Cliff 1997): a profit margin adapted after every interval by
 *   the Widrow-Hoff rule towards a target just beyond the last clearing price: raised when the
 *   order filled at a better price than asked, lowered when it went unmatched.
 * - `forecast`: bids at its own forecast of the clearing price (the mean of the past week's
 *   clearing prices at the same time of day, as a position between the feed-in and import
 *   prices), 2 % of that spread inside it to be matched (a buyer adds the network fee it pays),
 *   never beyond its value or below its cost. For planning its battery it also values a kWh
 *   bought or sold at each hour ahead (`localValue`): the forecast price when one more kWh would
 *   have matched (in proportion to the other side's volume over the past week), the tariff
 *   otherwise.
 *
 * Preferences narrow every strategy: a premium the home will pay for local energy (its value is
 * the import price plus the premium), a cap on what it pays, a floor on what it sells for.
 */
import type { Rng } from "../core/rng.js";

export const STRATEGIES = ["truthful", "zi-c", "zip", "forecast"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface AgentPreferences {
  /** Extra the home will pay for a kWh bought locally, micro-units per kWh. */
  readonly greenPremiumMicro: number;
  /** The most it pays per kWh, micro-units (null: no cap). */
  readonly maxBuyMicro: number | null;
  /** The least it sells a kWh for, micro-units (null: no floor). */
  readonly minSellMicro: number | null;
}

export const NO_PREFERENCES: AgentPreferences = {
  greenPremiumMicro: 0,
  maxBuyMicro: null,
  minSellMicro: null,
};

/** The interval as an agent sees it. */
export interface Quote {
  readonly side: "buy" | "sell";
  readonly importMicro: number;
  readonly exportMicro: number;
  /** The network fee on a local kWh, paid by the buyer out of its limit. */
  readonly feeMicro: number;
  /** Slot of the day (0 .. slotsPerDay - 1), for time-of-day habits. */
  readonly slot: number;
}

/** What the agent learns after the interval cleared. */
export interface Outcome {
  readonly side: "buy" | "sell";
  readonly limitMicro: number;
  /** Share of its order matched locally (0 to 1). */
  readonly filled: number;
  /** The interval's clearing price, or null when nothing traded. */
  readonly priceMicro: number | null;
  readonly slot: number;
  readonly importMicro: number;
  readonly exportMicro: number;
}

/** What the market publishes after each interval, heard by every agent. */
export interface PublicMarket {
  readonly slot: number;
  /** The clearing price, or null when nothing traded. */
  readonly priceMicro: number | null;
  readonly importMicro: number;
  readonly exportMicro: number;
  /** Energy offered and asked for in the interval, Wh. */
  readonly supplyWh: number;
  readonly demandWh: number;
}

/** What one more kWh is expected to be worth on the local market, micro-units per kWh. */
export interface LocalValue {
  /** Expected cost of a bought kWh (the local price and fee when it would match, else import). */
  readonly buyMicro: number;
  /** Expected value of a sold kWh (the local price when it would match, else feed-in). */
  readonly sellMicro: number;
}

export interface Agent {
  readonly strategy: StrategyName;
  /** The limit price for this interval's order, micro-units per kWh. */
  limit(q: Quote): number;
  observe(o: Outcome): void;
  hear(market: PublicMarket): void;
  /**
   * The agent's forecast of what a kWh bought or sold in a future interval at slot `slot` is
   * worth, for planning its battery (only agents that forecast prices have it).
   */
  localValue?(slot: number, importMicro: number, exportMicro: number, feeMicro: number): LocalValue;
}

/** The home's value of a bought kWh and cost of a sold one under its preferences. */
function bounds(q: Quote, p: AgentPreferences): { value: number; cost: number } {
  let value = q.importMicro + p.greenPremiumMicro;
  if (p.maxBuyMicro !== null) value = Math.min(value, p.maxBuyMicro);
  let cost = q.exportMicro;
  if (p.minSellMicro !== null) cost = Math.max(cost, p.minSellMicro);
  return { value, cost };
}

function truthful(p: AgentPreferences): Agent {
  return {
    strategy: "truthful",
    limit(q) {
      const b = bounds(q, p);
      return q.side === "buy" ? b.value : b.cost;
    },
    observe() {},
    hear() {},
  };
}

function zic(p: AgentPreferences, rng: Rng): Agent {
  return {
    strategy: "zi-c",
    limit(q) {
      const b = bounds(q, p);
      const u = rng.next();
      return q.side === "buy"
        ? Math.round(q.exportMicro + u * Math.max(0, b.value - q.exportMicro))
        : Math.round(b.cost + u * Math.max(0, q.importMicro - b.cost));
    },
    observe() {},
    hear() {},
  };
}

/** ZIP: margins in [0, 1] of the room between the home's bound and the other side's tariff. */
function zip(p: AgentPreferences, rng: Rng): Agent {
  const margin = { buy: 0.05 + 0.3 * rng.next(), sell: 0.05 + 0.3 * rng.next() };
  const beta = 0.1 + 0.4 * rng.next();
  const gamma = 0.2 * rng.next();
  const last = { buy: 0, sell: 0 };
  const priceOf = (
    side: "buy" | "sell",
    q: { importMicro: number; exportMicro: number },
    b: { value: number; cost: number },
  ) =>
    side === "buy"
      ? b.value - margin.buy * Math.max(0, b.value - q.exportMicro)
      : b.cost + margin.sell * Math.max(0, q.importMicro - b.cost);
  return {
    strategy: "zip",
    limit(q) {
      return Math.round(priceOf(q.side, q, bounds(q, p)));
    },
    observe(o) {
      const b = bounds(
        {
          side: o.side,
          importMicro: o.importMicro,
          exportMicro: o.exportMicro,
          feeMicro: 0,
          slot: o.slot,
        },
        p,
      );
      const room =
        o.side === "buy"
          ? Math.max(1, b.value - o.exportMicro)
          : Math.max(1, o.importMicro - b.cost);
      const price = o.limitMicro;
      let target: number;
      if (o.priceMicro !== null && o.filled > 0.999) {
        // Filled: ask for a little more profit, towards just beyond the clearing price.
        const r = 0.02 * rng.next();
        target =
          o.side === "buy"
            ? o.priceMicro * (1 - r) - 0.02 * room * rng.next()
            : o.priceMicro * (1 + r) + 0.02 * room * rng.next();
      } else {
        // Unmatched (or partly): give up some margin, towards the other side.
        const anchor = o.priceMicro ?? (o.side === "buy" ? b.value : b.cost);
        const r = 0.05 * rng.next();
        target =
          o.side === "buy" ? Math.max(price, anchor) * (1 + r) : Math.min(price, anchor) * (1 - r);
      }
      const step = beta * (target - price);
      last[o.side] = gamma * last[o.side] + (1 - gamma) * step;
      const next = price + last[o.side];
      const m = o.side === "buy" ? (b.value - next) / room : (next - b.cost) / room;
      margin[o.side] = Math.min(1, Math.max(0, m));
    },
    hear() {},
  };
}

function forecastAgent(p: AgentPreferences, slotsPerDay: number): Agent {
  // By slot of the day, over the last 7 days: the clearing prices heard (as a position between
  // the feed-in and import prices, so that a time-of-use change moves the forecast with it), and
  // the share of one more kWh sold or bought that would have matched.
  const prices = Array.from({ length: slotsPerDay }, () => [] as number[]);
  const sold = Array.from({ length: slotsPerDay }, () => [] as number[]);
  const bought = Array.from({ length: slotsPerDay }, () => [] as number[]);
  /** The share of one more kWh on a side asking `mine` that the other side's `theirs` would match. */
  const share = (theirs: number, mine: number) =>
    mine <= 0 ? (theirs > 0 ? 1 : 0) : Math.min(1, theirs / mine);
  const mean = (a: readonly number[], empty: number) =>
    a.length === 0 ? empty : a.reduce((x, y) => x + y, 0) / a.length;
  const push = (ring: number[], x: number) => {
    ring.push(x);
    if (ring.length > 7) ring.shift();
  };
  return {
    strategy: "forecast",
    limit(q) {
      const b = bounds(q, p);
      const past = prices[q.slot % slotsPerDay] as number[];
      if (past.length === 0) return q.side === "buy" ? b.value : b.cost;
      const spread = Math.max(0, q.importMicro - q.exportMicro);
      const f = q.exportMicro + spread * mean(past, 0.5);
      // 2 % of the spread inside the forecast on each side; the buyer adds the network fee it
      // pays on top of the price, so that bid and ask meet around the forecast itself.
      const edge = 0.02 * spread;
      return q.side === "buy"
        ? Math.round(Math.min(b.value, f + q.feeMicro + edge))
        : Math.round(Math.max(b.cost, f - edge));
    },
    observe() {},
    hear(m) {
      const slot = m.slot % slotsPerDay;
      // The short side of a uniform-price market fills; the long side shares what there is.
      push(sold[slot] as number[], share(m.demandWh, m.supplyWh));
      push(bought[slot] as number[], share(m.supplyWh, m.demandWh));
      if (m.priceMicro === null || m.importMicro <= m.exportMicro) return;
      push(
        prices[slot] as number[],
        (m.priceMicro - m.exportMicro) / (m.importMicro - m.exportMicro),
      );
    },
    localValue(slot, importMicro, exportMicro, feeMicro) {
      const s = slot % slotsPerDay;
      const spread = Math.max(0, importMicro - exportMicro);
      // With no price heard yet at this time of day, the middle of the spread, where a uniform
      // price with k = 0.5 lands between a truthful bid and ask.
      const price = exportMicro + spread * mean(prices[s] as number[], 0.5);
      const buyMatch = mean(bought[s] as number[], 0);
      const sellMatch = mean(sold[s] as number[], 0);
      return {
        buyMicro: buyMatch * Math.min(importMicro, price + feeMicro) + (1 - buyMatch) * importMicro,
        sellMicro: sellMatch * price + (1 - sellMatch) * exportMicro,
      };
    },
  };
}

export function createAgent(
  strategy: StrategyName,
  preferences: AgentPreferences,
  rng: Rng,
  slotsPerDay: number,
): Agent {
  switch (strategy) {
    case "truthful":
      return truthful(preferences);
    case "zi-c":
      return zic(preferences, rng);
    case "zip":
      return zip(preferences, rng);
    case "forecast":
      return forecastAgent(preferences, slotsPerDay);
  }
}
