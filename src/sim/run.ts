/**
 * The simulation loop. The homes' physics is computed once (it does not depend on prices); then,
 * interval by interval, every market variant clears the homes' net positions as orders, the
 * community battery (if any) absorbs what the community would export and covers what it would
 * import, and the rest is settled with the grid. The grid-only variant settles every home alone
 * with the grid. Everything is deterministic: the same input gives the same result.
 */
import { type Agent, createAgent, NO_PREFERENCES } from "../agents/strategies.js";
import { invariant } from "../core/errors.js";
import { createRng } from "../core/rng.js";
import { MS_PER_MINUTE } from "../core/time.js";
import { energyCostMicro, kwhToWh } from "../core/units.js";
import { apportion } from "../market/apportion.js";
import { clearMarket } from "../market/clearMarket.js";
import { MECHANISMS } from "../market/mechanisms.js";
import type { SettledInterval } from "../market/settle.js";
import type { ClearingInput, Mechanism, MechanismName, Order } from "../market/types.js";
import { BatteryState } from "./battery.js";
import { type HomeFlows, HomePhysics } from "./physics.js";
import type { SimulationInput } from "./types.js";

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

/** One cleared interval of a market variant, as the hooks see it. */
export interface ClearedInterval {
  readonly variant: string;
  readonly step: number;
  readonly input: ClearingInput;
  readonly result: SettledInterval;
  readonly mechanism: Mechanism;
  /** Member index of each order in `input.orders`. */
  readonly orderMember: Int32Array;
}

export interface RunHooks {
  /** Called about every 1 % of the run. */
  onProgress?(done: number, total: number): void;
  /** Called for every cleared interval of every market variant (may return a promise to wait for). */
  onInterval?(cleared: ClearedInterval): void | Promise<void>;
  /** Participant name of member `i` in the market (default: its id). */
  participantOf?(memberIndex: number): string;
}

/**
 * Steers some homes' batteries interval by interval from what each home knew before the
 * interval's market: its past, and what its agent has heard of past markets.
 */
export interface BatteryController {
  steers(memberIndex: number): boolean;
  /** kWh into member `i`'s battery in interval `t` (negative: out). Called for t = 0, 1, ... in order. */
  decide(memberIndex: number, t: number, agent: Agent): Promise<number>;
}

export interface SimulationRun {
  readonly input: SimulationInput;
  readonly flows: readonly HomeFlows[];
  readonly variants: readonly VariantAccount[];
}

/** The variants of a run: grid_only, p2p (the scenario's mechanism), and each compared mechanism. */
export function variantPlans(input: SimulationInput): VariantPlan[] {
  const plans: VariantPlan[] = [{ key: "grid_only", mechanism: null, kPpm: null }];
  const own = MECHANISMS[input.market.mechanism];
  const kOf = (m: Mechanism) =>
    m.defaultKPpm === null
      ? null
      : m.name === own.name
        ? (input.market.kPpm ?? m.defaultKPpm)
        : m.defaultKPpm;
  plans.push({ key: "p2p", mechanism: own, kPpm: kOf(own) });
  const seen = new Set<MechanismName>();
  for (const name of input.compare) {
    if (seen.has(name)) continue;
    seen.add(name);
    const m = MECHANISMS[name];
    plans.push({ key: name, mechanism: m, kPpm: kOf(m) });
  }
  return plans;
}

/** The slot of the day (0 .. perDay - 1, UTC) of each interval: what agents learn habits by. */
export function daySlots(input: Pick<SimulationInput, "startMs" | "stepMinutes">): {
  readonly perDay: number;
  at(t: number): number;
} {
  const perDay = Math.max(1, Math.round(1440 / input.stepMinutes));
  const first = Math.floor((input.startMs % 86_400_000) / (input.stepMinutes * MS_PER_MINUTE));
  return { perDay, at: (t) => (first + t) % perDay };
}

export async function runSimulation(
  input: SimulationInput,
  hooks: RunHooks = {},
  controller: BatteryController | null = null,
): Promise<SimulationRun> {
  const n = input.count;
  const members = input.members;
  const m = members.length;
  const stepMs = input.stepMinutes * MS_PER_MINUTE;
  const stepHours = input.stepMinutes / 60;
  const physics = members.map((member) => new HomePhysics(member, input));
  const flows = physics.map((p) => p.flows);
  const steered = members.map((_, i) => controller?.steers(i) === true);
  // Net positions in whole Wh: what each home takes to the market.
  const residualWh = members.map(() => new Float64Array(n));
  const plans = variantPlans(input);
  const variants = plans.map((p) => new VariantAccount(p, m, n));
  const participant =
    hooks.participantOf ?? ((i: number) => (members[i] as (typeof members)[number]).id);
  const names = members.map((_, i) => participant(i));
  const ids = members.map((mem) => mem.id);
  const batteries = plans.map(() =>
    input.communityBattery ? new BatteryState(input.communityBattery, stepHours) : null,
  );
  const reportEvery = Math.max(1, Math.floor(n / 100));

  const orders: Order[] = [];
  const estimated = input.members.map((mem) => mem.estimated ?? null);
  const slots = daySlots(input);
  const agentRng = createRng(input.seed).fork("agents");
  const agents = input.members.map((mem) =>
    createAgent(
      mem.agent?.strategy ?? input.market.strategy,
      mem.agent?.preferences ?? NO_PREFERENCES,
      agentRng.fork(mem.id),
      slots.perDay,
    ),
  );
  const orderMember = new Int32Array(m);
  const importShare = new Float64Array(m);
  const exportShare = new Float64Array(m);

  for (let t = 0; t < n; t++) {
    const startMs = input.startMs + t * stepMs;
    const importPrice = input.importPriceMicro[t] as number;
    const exportPrice = input.exportPriceMicro;
    const carbon = input.carbonKgPerKwh[t] as number;
    // The homes' physics in this interval, batteries on their plan, controller or rule.
    let physicalKwh = 0;
    for (let i = 0; i < m; i++) {
      const planned =
        controller && steered[i]
          ? await controller.decide(i, t, agents[i] as Agent)
          : (input.batteryPlans?.[i]?.[t] ?? null);
      const r = (physics[i] as HomePhysics).step(t, planned);
      (residualWh[i] as Float64Array)[t] = kwhToWh(r);
      physicalKwh += r;
    }

    // The interval's orders: each home's net position, priced by its agent.
    orders.length = 0;
    const slot = slots.at(t);
    let supplyWh = 0;
    let demandWh = 0;
    for (let i = 0; i < m; i++) {
      const r = (residualWh[i] as Float64Array)[t] as number;
      if (r === 0) continue;
      orderMember[orders.length] = i;
      const side = r > 0 ? "buy" : "sell";
      if (side === "buy") demandWh += r;
      else supplyWh -= r;
      orders.push({
        id: `${ids[i]}@${t}`,
        participant: names[i] as string,
        side,
        energyWh: Math.abs(r),
        limitPriceMicro: (agents[i] as Agent).limit({
          side,
          importMicro: importPrice,
          exportMicro: exportPrice,
          feeMicro: input.networkFeeMicro,
          slot,
        }),
        timestampMs: startMs,
        estimated: (estimated[i]?.[t] ?? 0) === 1,
      });
    }

    for (let v = 0; v < variants.length; v++) {
      const acc = variants[v] as VariantAccount;
      const plan = acc.plan;
      if (plan.mechanism === null) {
        // Every home alone with the grid.
        let imp = 0;
        let exp = 0;
        for (let i = 0; i < m; i++) {
          const r = (residualWh[i] as Float64Array)[t] as number;
          const h = acc.homes[i] as HomeAccount;
          if (r > 0) {
            h.importWh += r;
            h.paysMicro += energyCostMicro(r, importPrice);
            h.co2Kg += (r / 1000) * carbon;
            if (r > h.peakImportWh) h.peakImportWh = r;
            imp += r;
          } else if (r < 0) {
            h.exportWh -= r;
            h.receivesMicro += energyCostMicro(-r, exportPrice);
            exp -= r;
          }
        }
        acc.gridImportWh[t] = imp;
        acc.gridExportWh[t] = exp;
        acc.transformerKwh[t] = physicalKwh;
        continue;
      }

      const clearingInput: ClearingInput = {
        interval: { startMs, minutes: input.stepMinutes },
        grid: {
          importPriceMicro: importPrice,
          exportPriceMicro: exportPrice,
          networkFeeMicro: input.networkFeeMicro,
        },
        orders: orders.slice(),
      };
      const kOpt =
        plan.kPpm === null
          ? { mechanism: plan.mechanism }
          : { mechanism: plan.mechanism, kPpm: plan.kPpm };
      const result = clearMarket(clearingInput, kOpt);
      acc.welfareMicro += result.summary.welfareMicro;
      // Efficiency at the homes' own tariff values, whatever they bid.
      const spread = Math.max(0, importPrice - exportPrice);
      acc.localValueMicro += (result.summary.tradedWh * spread) / 1000;
      acc.maxLocalValueMicro += (Math.min(supplyWh, demandWh) * spread) / 1000;
      acc.ordersTotal += orders.length;
      for (let j = 0; j < orders.length; j++)
        if ((result.orderFilledWh[j] as number) === 0) acc.ordersUnmatched++;
      acc.networkFeesMicro += result.summary.networkFeesMicro;
      acc.budgetSurplusMicro += result.summary.budgetSurplusMicro;
      acc.tradeCount += result.trades.length;
      acc.localTradedWh[t] = result.summary.tradedWh;
      const prices = result.summary.prices;
      if (result.trades.length > 0)
        acc.priceMicro[t] =
          prices.clearingPriceMicro ?? prices.buyPriceMicro ?? averagePrice(result);

      // Agents learn from the scenario's own market (compared mechanisms see the same bids).
      if (plan.key === "p2p") {
        const price = result.trades.length > 0 ? (acc.priceMicro[t] as number) : null;
        for (let j = 0; j < orders.length; j++) {
          const o = orders[j] as Order;
          (agents[orderMember[j] as number] as Agent).observe({
            side: o.side,
            limitMicro: o.limitPriceMicro,
            filled: (result.orderFilledWh[j] as number) / o.energyWh,
            priceMicro: price,
            slot,
            importMicro: importPrice,
            exportMicro: exportPrice,
          });
        }
        const market = {
          slot,
          priceMicro: price,
          importMicro: importPrice,
          exportMicro: exportPrice,
          supplyWh,
          demandWh,
        };
        for (const a of agents) a.hear(market);
      }

      // What the market left to the grid, per home.
      let unmatchedImport = 0;
      let unmatchedExport = 0;
      for (let j = 0; j < orders.length; j++) {
        const i = orderMember[j] as number;
        const h = acc.homes[i] as HomeAccount;
        const filled = result.orderFilledWh[j] as number;
        const rest = result.orderGridWh[j] as number;
        h.paysMicro += result.orderPaysMicro[j] as number;
        h.receivesMicro += result.orderReceivesMicro[j] as number;
        if ((orders[j] as Order).side === "buy") {
          h.boughtWh += filled;
          importShare[i] = rest;
          unmatchedImport += rest;
        } else {
          h.soldWh += filled;
          exportShare[i] = rest;
          unmatchedExport += rest;
        }
      }

      // The community battery takes what would be exported and covers what would be imported;
      // homes settle with it at the grid's tariffs, so their bills do not change here.
      const cb = batteries[v];
      let cbChargeWh = 0;
      let cbDischargeWh = 0;
      if (cb) {
        if (unmatchedExport > 0) {
          cbChargeWh = Math.floor(Math.min(unmatchedExport, cb.chargeableKwh() * 1000));
          cb.charge(cbChargeWh / 1000);
        } else if (unmatchedImport > 0) {
          cbDischargeWh = Math.floor(Math.min(unmatchedImport, cb.dischargeableKwh() * 1000));
          cb.discharge(cbDischargeWh / 1000);
        }
        acc.communityBatterySoc[t] = cb.fraction;
      }
      const fromCb =
        cbDischargeWh > 0
          ? apportionShares(cbDischargeWh, importShare, orders, orderMember, "buy", ids)
          : undefined;
      const toCb =
        cbChargeWh > 0
          ? apportionShares(cbChargeWh, exportShare, orders, orderMember, "sell", ids)
          : undefined;
      let gridImport = 0;
      let gridExport = 0;
      for (let j = 0; j < orders.length; j++) {
        const i = orderMember[j] as number;
        const h = acc.homes[i] as HomeAccount;
        if ((orders[j] as Order).side === "buy") {
          const cbPart = fromCb?.get(i) ?? 0;
          const grid = (importShare[i] as number) - cbPart;
          h.fromCommunityBatteryWh += cbPart;
          h.importWh += grid;
          h.co2Kg += (grid / 1000) * carbon;
          if (grid > h.peakImportWh) h.peakImportWh = grid;
          gridImport += grid;
          if (cbPart > 0)
            acc.communityBattery.receivesMicro += energyCostMicro(cbPart, importPrice);
          importShare[i] = 0;
        } else {
          const cbPart = toCb?.get(i) ?? 0;
          const grid = (exportShare[i] as number) - cbPart;
          h.toCommunityBatteryWh += cbPart;
          h.exportWh += grid;
          gridExport += grid;
          if (cbPart > 0) acc.communityBattery.paysMicro += energyCostMicro(cbPart, exportPrice);
          exportShare[i] = 0;
        }
      }
      acc.communityBattery.chargedKwh += cbChargeWh / 1000;
      acc.communityBattery.dischargedKwh += cbDischargeWh / 1000;
      acc.gridImportWh[t] = gridImport;
      acc.gridExportWh[t] = gridExport;
      acc.transformerKwh[t] = physicalKwh + cbChargeWh / 1000 - cbDischargeWh / 1000;

      if (hooks.onInterval) {
        const pending = hooks.onInterval({
          variant: plan.key,
          step: t,
          input: clearingInput,
          result,
          mechanism: plan.mechanism,
          orderMember: orderMember.slice(0, orders.length),
        });
        if (pending) await pending;
      }
    }
    if (hooks.onProgress && (t % reportEvery === 0 || t === n - 1)) hooks.onProgress(t + 1, n);
  }

  // The community battery's surplus goes back to the homes in proportion to their consumption.
  for (const acc of variants) {
    const net = acc.communityBattery.receivesMicro - acc.communityBattery.paysMicro;
    if (acc.plan.mechanism === null || net === 0) continue;
    const weights = flows.map((f) => Math.round(sum(f.consumption) * 1000));
    if (weights.every((w) => w === 0)) continue;
    const sign = net < 0 ? -1 : 1;
    const shares = apportion(Math.abs(net), weights, ids);
    shares.forEach((s, i) => {
      (acc.homes[i] as HomeAccount).communityBatteryShareMicro = sign * s;
    });
  }
  return { input, flows, variants };
}

function averagePrice(result: SettledInterval): number {
  let wh = 0;
  let micro = 0;
  for (const t of result.trades) {
    wh += t.energyWh;
    micro += t.energyWh * t.priceMicro;
  }
  return wh === 0 ? Number.NaN : micro / wh;
}

/** Splits `totalWh` among the homes on one side in proportion to their remainders. */
function apportionShares(
  totalWh: number,
  remainders: Float64Array,
  orders: readonly Order[],
  orderMember: Int32Array,
  side: "buy" | "sell",
  ids: readonly string[],
): Map<number, number> {
  const members: number[] = [];
  const weights: number[] = [];
  for (let j = 0; j < orders.length; j++) {
    if ((orders[j] as Order).side !== side) continue;
    const i = orderMember[j] as number;
    if ((remainders[i] as number) > 0) {
      members.push(i);
      weights.push(remainders[i] as number);
    }
  }
  invariant(
    weights.reduce((a, b) => a + b, 0) >= totalWh,
    "community battery exchanged more than the homes offered",
  );
  const shares = apportion(
    totalWh,
    weights,
    members.map((i) => ids[i] as string),
  );
  const out = new Map<number, number>();
  for (let k = 0; k < members.length; k++) out.set(members[k] as number, shares[k] as number);
  return out;
}

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}
