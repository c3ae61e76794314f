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
 *   never beyond its value or below its cost.
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

export interface Agent {
  readonly strategy: StrategyName;
  /** The limit price for this interval's order, micro-units per kWh. */
  limit(q: Quote): number;
  observe(o: Outcome): void;
  /** The interval's clearing price and tariff, public to every agent (price null: no trade). */
  hear(slot: number, priceMicro: number | null, importMicro: number, exportMicro: number): void;
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
  // The past week's clearing prices by slot of the day (a ring of 7 per slot).
  const seen = Array.from({ length: slotsPerDay }, () => [] as number[]);
  return {
    strategy: "forecast",
    limit(q) {
      const b = bounds(q, p);
      const past = seen[q.slot % slotsPerDay] as number[];
      if (past.length === 0) return q.side === "buy" ? b.value : b.cost;
      // Prices are learned as a position between the feed-in and import prices, so that a
      // time-of-use change of the tariff moves the forecast with it.
      const spread = Math.max(0, q.importMicro - q.exportMicro);
      const f = q.exportMicro + (spread * past.reduce((a, x) => a + x, 0)) / past.length;
      // 2 % of the spread inside the forecast on each side; the buyer adds the network fee it
      // pays on top of the price, so that bid and ask meet around the forecast itself.
      const edge = 0.02 * spread;
      return q.side === "buy"
        ? Math.round(Math.min(b.value, f + q.feeMicro + edge))
        : Math.round(Math.max(b.cost, f - edge));
    },
    observe() {},
    hear(slot, priceMicro, importMicro, exportMicro) {
      if (priceMicro === null || importMicro <= exportMicro) return;
      const past = seen[slot % slotsPerDay] as number[];
      past.push((priceMicro - exportMicro) / (importMicro - exportMicro));
      if (past.length > 7) past.shift();
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
