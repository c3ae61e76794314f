/**
 * The market's vocabulary. Energy is integer Wh, prices integer micro-units per kWh, money
 * integer micro-units, times epoch milliseconds (see src/core/units.ts and time.ts).
 */
import type { Interval } from "../core/time.js";

export type Side = "buy" | "sell";

/**
 * A limit order for one market interval. The price is the limit: the most a buyer pays per kWh,
 * the least a seller accepts per kWh.
 */
export interface Order {
  readonly id: string;
  readonly participant: string;
  readonly side: Side;
  /** Energy to buy or sell, Wh, > 0. */
  readonly energyWh: number;
  /** Limit price, micro-units per kWh, >= 0. */
  readonly limitPriceMicro: number;
  /** When the order was placed, epoch ms. */
  readonly timestampMs: number;
  /** True when the order rests on an estimated meter reading (see `gridshare data check`). */
  readonly estimated?: boolean;
}

/** The public grid as fallback buyer and seller, and the fee on local trades. */
export interface GridTariff {
  /** What importing from the grid costs, micro-units per kWh. */
  readonly importPriceMicro: number;
  /** What exporting to the grid earns (feed-in), micro-units per kWh. */
  readonly exportPriceMicro: number;
  /** Network fee on every locally traded kWh, paid by the buyer, micro-units per kWh. */
  readonly networkFeeMicro: number;
}

/** Everything a mechanism needs to clear one interval. */
export interface ClearingInput {
  readonly interval: Interval;
  readonly grid: GridTariff;
  readonly orders: readonly Order[];
  /**
   * How a mechanism that matches continuously (`cda`) sequences the orders: by their own
   * timestamps (the default, as in a simulation), or as given, which is the server's receive
   * order (the live platform, format-2 ledgers).
   */
  readonly sequence?: "timestamp" | "given";
}

/** A local trade between two orders. */
export interface Trade {
  /** Derived from the mechanism, the interval and the two orders (see tradeIds.ts). */
  readonly transactionId: string;
  readonly buyOrderId: string;
  readonly sellOrderId: string;
  /** Position of the buy order in the clearing input's `orders`. */
  readonly buyOrderIndex: number;
  /** Position of the sell order in the clearing input's `orders`. */
  readonly sellOrderIndex: number;
  readonly buyer: string;
  readonly seller: string;
  /** Wh, > 0. */
  readonly energyWh: number;
  /** What the buyer pays the seller side per kWh, micro-units (the network fee comes on top). */
  readonly priceMicro: number;
  /** What the seller receives per kWh, micro-units; below `priceMicro` only where the market keeps a surplus. */
  readonly sellerPriceMicro: number;
  /** Start of the delivery interval, or the time of the match for a continuous market, epoch ms. */
  readonly timestampMs: number;
  /** The buy order's limit, micro-units per kWh (for welfare; not exported). */
  readonly buyLimitMicro: number;
  /** The sell order's limit, micro-units per kWh (for welfare; not exported). */
  readonly sellLimitMicro: number;
}

/** Prices a mechanism announces for the interval (micro-units per kWh), null where it has none. */
export interface AnnouncedPrices {
  /** One price for everyone (uniform). */
  readonly clearingPriceMicro: number | null;
  /** Buyers' price where buyers and sellers see different uniform prices. */
  readonly buyPriceMicro: number | null;
  /** Sellers' price where buyers and sellers see different uniform prices. */
  readonly sellPriceMicro: number | null;
}

/** What a mechanism decides: the local trades and its announced prices. */
export interface MechanismOutcome {
  readonly trades: readonly Trade[];
  readonly prices: AnnouncedPrices;
}

export type MechanismName =
  | "cda"
  | "uniform"
  | "pay-as-bid"
  | "mcafee"
  | "sdr"
  | "mmr"
  | "bill-sharing";

export const MECHANISM_NAMES: readonly MechanismName[] = [
  "cda",
  "uniform",
  "pay-as-bid",
  "mcafee",
  "sdr",
  "mmr",
  "bill-sharing",
];

/** Parameters of a clearing run. */
export interface MechanismParams {
  /** The k of k-pricing in parts per million (0..1_000_000); mechanisms without k ignore it. */
  readonly kPpm: number;
}

/** One clearing mechanism behind the common interface. */
export interface Mechanism {
  readonly name: MechanismName;
  /**
   * `bid`: matches limit orders (limits are respected). `community`: prices net positions
   * from the grid tariffs and ignores limits. `continuous`: replays orders through the book.
   */
  readonly kind: "bid" | "community" | "continuous";
  /** Default k in ppm, or null when the mechanism has no k. */
  readonly defaultKPpm: number | null;
  /** True when buyers' and sellers' prices can differ, so trade records carry both. */
  readonly splitPrices: boolean;
  /** True when a participant may hold buy and sell orders in the same interval. */
  readonly allowsBothSides: boolean;
  clear(input: ClearingInput, params: MechanismParams): MechanismOutcome;
}

/** One participant's result for the interval. */
export interface ParticipantSettlement {
  readonly participant: string;
  readonly boughtWh: number;
  readonly soldWh: number;
  readonly gridImportWh: number;
  readonly gridExportWh: number;
  /** Local purchases, network fees and grid imports, micro-units. */
  readonly paysMicro: number;
  /** Local sales and grid exports, micro-units. */
  readonly receivesMicro: number;
}

/** Totals for the interval. */
export interface ClearingSummary {
  readonly tradedWh: number;
  readonly prices: AnnouncedPrices;
  /** Gains from local trade at the orders' limit prices, net of network fees, micro-units. */
  readonly welfareMicro: number;
  /** What the market keeps: buyers' payments minus sellers' receipts on local trades, micro-units. */
  readonly budgetSurplusMicro: number;
  readonly networkFeesMicro: number;
  readonly gridImportWh: number;
  readonly gridExportWh: number;
  /** Grid imports cost minus grid export revenue, micro-units. */
  readonly gridCostMicro: number;
}

/** The settled result of clearing one interval. */
export interface ClearingResult {
  readonly mechanism: MechanismName;
  /** k used, ppm, or null when the mechanism has none. */
  readonly kPpm: number | null;
  readonly interval: Interval;
  readonly grid: GridTariff;
  readonly trades: readonly Trade[];
  readonly summary: ClearingSummary;
  readonly participants: readonly ParticipantSettlement[];
}
