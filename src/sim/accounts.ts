/** What a run accumulates, per market variant and per home (energy in Wh, money in micro-units). */
import type { Mechanism } from "../market/types.js";

/** A market variant of the run: `grid_only`, `p2p` (the scenario's mechanism), or a compared mechanism. */
export interface VariantPlan {
  readonly key: string;
  readonly mechanism: Mechanism | null;
  readonly kPpm: number | null;
}

/** Sums over the run for one home in one variant (energy in Wh, money in micro-units). */
export class HomeAccount {
  importWh = 0;
  exportWh = 0;
  boughtWh = 0;
  soldWh = 0;
  /** Energy exchanged with the community battery: taken from it / given to it. */
  fromCommunityBatteryWh = 0;
  toCommunityBatteryWh = 0;
  paysMicro = 0;
  receivesMicro = 0;
  co2Kg = 0;
  peakImportWh = 0;
  /** The home's share of the community battery's surplus, micro-units (credited at the end). */
  communityBatteryShareMicro = 0;
}

/** What one variant accumulates. */
export class VariantAccount {
  readonly homes: HomeAccount[];
  /** Per interval, community totals. */
  readonly gridImportWh: Float64Array;
  readonly gridExportWh: Float64Array;
  readonly localTradedWh: Float64Array;
  /** Physical net import at the transformer, kWh (negative: net export). */
  readonly transformerKwh: Float64Array;
  /** The interval's uniform price, or the buyers' average price per kWh when there is none (micro/kWh); NaN without trades. */
  readonly priceMicro: Float64Array;
  readonly communityBatterySoc: Float32Array;
  welfareMicro = 0;
  /** Value of local trades at the homes' tariffs, and the most the interval's books allowed. */
  localValueMicro = 0;
  maxLocalValueMicro = 0;
  ordersTotal = 0;
  ordersUnmatched = 0;
  networkFeesMicro = 0;
  budgetSurplusMicro = 0;
  tradeCount = 0;
  communityBattery = { paysMicro: 0, receivesMicro: 0, chargedKwh: 0, dischargedKwh: 0 };

  constructor(
    readonly plan: VariantPlan,
    homes: number,
    count: number,
  ) {
    this.homes = Array.from({ length: homes }, () => new HomeAccount());
    this.gridImportWh = new Float64Array(count);
    this.gridExportWh = new Float64Array(count);
    this.localTradedWh = new Float64Array(count);
    this.transformerKwh = new Float64Array(count);
    this.priceMicro = new Float64Array(count).fill(Number.NaN);
    this.communityBatterySoc = new Float32Array(count).fill(Number.NaN);
  }
}
