/**
 * Settlement of one interval: local trades as the mechanism decided them, and the grid as
 * fallback for everything left. Each order settles its own remainder: unmatched demand imports
 * at the import tariff, unmatched supply exports at the feed-in tariff. All money is integer
 * micro-units, each amount rounded once (half-even) and every total a sum of those same amounts,
 * so that exactly
 *   participants' payments = participants' receipts + network fees + budget surplus + grid cost.
 *
 * Per-order results are kept in flat arrays; the per-participant view is built on first use
 * (it groups and sorts participant names, which a simulation reading per-order results skips).
 */

import type { Interval } from "../core/time.js";
import { energyCostMicro, mulDivHalfEven, WH_PER_KWH } from "../core/units.js";
import type {
  ClearingInput,
  ClearingResult,
  ClearingSummary,
  GridTariff,
  Mechanism,
  MechanismName,
  MechanismOutcome,
  Order,
  ParticipantSettlement,
  Trade,
} from "./types.js";

/** A settled interval: the summary at once, the participants on first use. */
export class SettledInterval implements ClearingResult {
  readonly mechanism: MechanismName;
  readonly kPpm: number | null;
  readonly interval: Interval;
  readonly grid: GridTariff;
  readonly trades: readonly Trade[];
  readonly summary: ClearingSummary;
  /** Per order (same index as the input's orders): energy traded locally, Wh. */
  readonly orderFilledWh: Float64Array;
  /** Per order: energy settled with the grid (import for buys, export for sells), Wh. */
  readonly orderGridWh: Float64Array;
  /** Per order: what its owner pays (local purchases, fees, grid imports), micro-units. */
  readonly orderPaysMicro: Float64Array;
  /** Per order: what its owner receives (local sales, grid exports), micro-units. */
  readonly orderReceivesMicro: Float64Array;
  private readonly orders: readonly Order[];
  private cached: readonly ParticipantSettlement[] | undefined;

  constructor(
    input: ClearingInput,
    mechanism: Mechanism,
    kPpm: number | null,
    outcome: MechanismOutcome,
  ) {
    const { grid, orders } = input;
    const n = orders.length;
    const filled = new Float64Array(n);
    const pays = new Float64Array(n);
    const receives = new Float64Array(n);
    const gridWh = new Float64Array(n);
    let tradedWh = 0;
    let welfareMicro = 0;
    let budgetSurplusMicro = 0;
    let networkFeesMicro = 0;
    const feePerKwh = grid.networkFeeMicro;
    for (const trade of outcome.trades) {
      const q = trade.energyWh;
      const b = trade.buyOrderIndex;
      const s = trade.sellOrderIndex;
      const buyerPays = energyCostMicro(q, trade.priceMicro);
      const sellerGets = energyCostMicro(q, trade.sellerPriceMicro);
      const fee = energyCostMicro(q, feePerKwh);
      filled[b] = (filled[b] as number) + q;
      filled[s] = (filled[s] as number) + q;
      pays[b] = (pays[b] as number) + buyerPays + fee;
      receives[s] = (receives[s] as number) + sellerGets;
      tradedWh += q;
      networkFeesMicro += fee;
      budgetSurplusMicro += buyerPays - sellerGets;
      const gain = trade.buyLimitMicro - trade.sellLimitMicro - feePerKwh;
      welfareMicro += mulDivHalfEven(q, gain, WH_PER_KWH);
    }
    let gridImportWh = 0;
    let gridExportWh = 0;
    let gridCostMicro = 0;
    for (let i = 0; i < n; i++) {
      const o = orders[i] as Order;
      const rest = o.energyWh - (filled[i] as number);
      gridWh[i] = rest;
      if (rest === 0) continue;
      if (o.side === "buy") {
        const cost = energyCostMicro(rest, grid.importPriceMicro);
        gridImportWh += rest;
        gridCostMicro += cost;
        pays[i] = (pays[i] as number) + cost;
      } else {
        const revenue = energyCostMicro(rest, grid.exportPriceMicro);
        gridExportWh += rest;
        gridCostMicro -= revenue;
        receives[i] = (receives[i] as number) + revenue;
      }
    }
    this.mechanism = mechanism.name;
    this.kPpm = kPpm;
    this.interval = input.interval;
    this.grid = grid;
    this.trades = outcome.trades;
    this.orders = orders;
    this.orderFilledWh = filled;
    this.orderGridWh = gridWh;
    this.orderPaysMicro = pays;
    this.orderReceivesMicro = receives;
    this.summary = {
      tradedWh,
      prices: outcome.prices,
      welfareMicro,
      budgetSurplusMicro,
      networkFeesMicro,
      gridImportWh,
      gridExportWh,
      gridCostMicro,
    };
  }

  /** One entry per participant, sorted by participant id (UTF-16 order). */
  get participants(): readonly ParticipantSettlement[] {
    if (this.cached !== undefined) return this.cached;
    const slots = new Map<string, number[]>();
    this.orders.forEach((o, i) => {
      const list = slots.get(o.participant);
      if (list === undefined) slots.set(o.participant, [i]);
      else list.push(i);
    });
    const out: ParticipantSettlement[] = [];
    for (const participant of [...slots.keys()].sort()) {
      let boughtWh = 0;
      let soldWh = 0;
      let gridImportWh = 0;
      let gridExportWh = 0;
      let paysMicro = 0;
      let receivesMicro = 0;
      for (const i of slots.get(participant) as number[]) {
        if ((this.orders[i] as Order).side === "buy") {
          boughtWh += this.orderFilledWh[i] as number;
          gridImportWh += this.orderGridWh[i] as number;
        } else {
          soldWh += this.orderFilledWh[i] as number;
          gridExportWh += this.orderGridWh[i] as number;
        }
        paysMicro += this.orderPaysMicro[i] as number;
        receivesMicro += this.orderReceivesMicro[i] as number;
      }
      out.push({
        participant,
        boughtWh,
        soldWh,
        gridImportWh,
        gridExportWh,
        paysMicro,
        receivesMicro,
      });
    }
    this.cached = out;
    return out;
  }
}

export function settle(
  input: ClearingInput,
  mechanism: Mechanism,
  kPpm: number | null,
  outcome: MechanismOutcome,
): SettledInterval {
  return new SettledInterval(input, mechanism, kPpm, outcome);
}
