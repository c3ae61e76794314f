/**
 * The simulation loop. The homes' physics is computed once (it does not depend on prices); then,
 * interval by interval, every market variant clears the homes' net positions as orders, the
 * community battery (if any) absorbs what the community would export and covers what it would
 * import, and the rest is settled with the grid. The grid-only variant settles every home alone
 * with the grid. Everything is deterministic: the same input gives the same result.
 */
import { type Agent, createAgent, NO_PREFERENCES } from "../agents/strategies.js";
import { createRng } from "../core/rng.js";
import { MS_PER_DAY, MS_PER_MINUTE } from "../core/time.js";
import { energyCostMicro, kwhToWh } from "../core/units.js";
import { BatteryState } from "../home/battery.js";
import { clearMarket } from "../market/clearMarket.js";
import { MECHANISMS } from "../market/mechanisms.js";
import type { SettledInterval } from "../market/settle.js";
import type { ClearingInput, Mechanism, MechanismName, Order } from "../market/types.js";
import { type HomeAccount, VariantAccount, type VariantPlan } from "./accounts.js";
import {
  apportionShares,
  exchangeWithBattery,
  settleWithBattery,
  shareBatterySurplus,
} from "./communityBattery.js";
import { type HomeFlows, HomePhysics } from "./physics.js";
import type { SimulationInput } from "./types.js";

export { HomeAccount, VariantAccount, type VariantPlan } from "./accounts.js";

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
  const first = Math.floor((input.startMs % MS_PER_DAY) / (input.stepMinutes * MS_PER_MINUTE));
  return { perDay, at: (t) => (first + t) % perDay };
}

/** What the run keeps across intervals, and the scratch space each interval reuses. */
interface RunState {
  readonly input: SimulationInput;
  readonly ids: readonly string[];
  readonly names: readonly string[];
  readonly agents: readonly Agent[];
  /** Net positions in whole Wh, per home and interval: what each home takes to the market. */
  readonly residualWh: readonly Float64Array[];
  readonly estimated: readonly (Uint8Array | null)[];
  /** The interval's orders, and the member behind each. */
  readonly orders: Order[];
  readonly orderMember: Int32Array;
  /** What each home left to the grid in the interval, Wh (scratch). */
  readonly importShare: Float64Array;
  readonly exportShare: Float64Array;
}

/** One interval as every step sees it. */
interface IntervalContext {
  readonly t: number;
  readonly startMs: number;
  readonly importPrice: number;
  readonly exportPrice: number;
  readonly carbon: number;
  readonly slot: number;
  /** Net import at the transformer before any community battery, kWh. */
  readonly physicalKwh: number;
  readonly supplyWh: number;
  readonly demandWh: number;
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
  const plans = variantPlans(input);
  const variants = plans.map((p) => new VariantAccount(p, m, n));
  const participant =
    hooks.participantOf ?? ((i: number) => (members[i] as (typeof members)[number]).id);
  const batteries = plans.map(() =>
    input.communityBattery ? new BatteryState(input.communityBattery, stepHours) : null,
  );
  const reportEvery = Math.max(1, Math.floor(n / 100));
  const slots = daySlots(input);
  const agentRng = createRng(input.seed).fork("agents");
  const state: RunState = {
    input,
    ids: members.map((mem) => mem.id),
    names: members.map((_, i) => participant(i)),
    agents: members.map((mem) =>
      createAgent(
        mem.agent?.strategy ?? input.market.strategy,
        mem.agent?.preferences ?? NO_PREFERENCES,
        agentRng.fork(mem.id),
        slots.perDay,
      ),
    ),
    residualWh: members.map(() => new Float64Array(n)),
    estimated: members.map((mem) => mem.estimated ?? null),
    orders: [],
    orderMember: new Int32Array(m),
    importShare: new Float64Array(m),
    exportShare: new Float64Array(m),
  };

  for (let t = 0; t < n; t++) {
    // The homes' physics in this interval, batteries on their plan, controller or rule.
    let physicalKwh = 0;
    for (let i = 0; i < m; i++) {
      const planned =
        controller && steered[i]
          ? await controller.decide(i, t, state.agents[i] as Agent)
          : (input.batteryPlans?.[i]?.[t] ?? null);
      const r = (physics[i] as HomePhysics).step(t, planned);
      (state.residualWh[i] as Float64Array)[t] = kwhToWh(r);
      physicalKwh += r;
    }
    const ctx = placeOrders(state, {
      t,
      startMs: input.startMs + t * stepMs,
      importPrice: input.importPriceMicro[t] as number,
      exportPrice: input.exportPriceMicro,
      carbon: input.carbonKgPerKwh[t] as number,
      slot: slots.at(t),
      physicalKwh,
    });
    for (let v = 0; v < variants.length; v++) {
      const acc = variants[v] as VariantAccount;
      const plan = acc.plan;
      if (plan.mechanism === null) {
        settleAlone(state, ctx, acc);
        continue;
      }
      const { clearingInput, result } = clearVariant(state, ctx, acc, plan.mechanism);
      // Agents learn from the scenario's own market (compared mechanisms see the same bids).
      if (plan.key === "p2p") teachAgents(state, ctx, acc, result);
      settleRemainders(state, ctx, acc, result, batteries[v] ?? null);
      if (hooks.onInterval) {
        const pending = hooks.onInterval({
          variant: plan.key,
          step: t,
          input: clearingInput,
          result,
          mechanism: plan.mechanism,
          orderMember: state.orderMember.slice(0, state.orders.length),
        });
        if (pending) await pending;
      }
    }
    if (hooks.onProgress && (t % reportEvery === 0 || t === n - 1)) hooks.onProgress(t + 1, n);
  }
  shareBatterySurplus(variants, flows, state.ids);
  return { input, flows, variants };
}

/** The interval's orders: each home's net position, priced by its agent. */
function placeOrders(
  state: RunState,
  at: Omit<IntervalContext, "supplyWh" | "demandWh">,
): IntervalContext {
  const { input, orders, orderMember } = state;
  orders.length = 0;
  let supplyWh = 0;
  let demandWh = 0;
  for (let i = 0; i < state.residualWh.length; i++) {
    const r = (state.residualWh[i] as Float64Array)[at.t] as number;
    if (r === 0) continue;
    orderMember[orders.length] = i;
    const side = r > 0 ? "buy" : "sell";
    if (side === "buy") demandWh += r;
    else supplyWh -= r;
    orders.push({
      id: `${state.ids[i]}@${at.t}`,
      participant: state.names[i] as string,
      side,
      energyWh: Math.abs(r),
      limitPriceMicro: (state.agents[i] as Agent).limit({
        side,
        importMicro: at.importPrice,
        exportMicro: at.exportPrice,
        feeMicro: input.networkFeeMicro,
        slot: at.slot,
      }),
      timestampMs: at.startMs,
      estimated: (state.estimated[i]?.[at.t] ?? 0) === 1,
    });
  }
  return { ...at, supplyWh, demandWh };
}

/** The grid-only variant: every home alone with the grid. */
function settleAlone(state: RunState, ctx: IntervalContext, acc: VariantAccount): void {
  const { t } = ctx;
  let imp = 0;
  let exp = 0;
  for (let i = 0; i < state.residualWh.length; i++) {
    const r = (state.residualWh[i] as Float64Array)[t] as number;
    const h = acc.homes[i] as HomeAccount;
    if (r > 0) {
      h.importWh += r;
      h.paysMicro += energyCostMicro(r, ctx.importPrice);
      h.co2Kg += (r / 1000) * ctx.carbon;
      if (r > h.peakImportWh) h.peakImportWh = r;
      imp += r;
    } else if (r < 0) {
      h.exportWh -= r;
      h.receivesMicro += energyCostMicro(-r, ctx.exportPrice);
      exp -= r;
    }
  }
  acc.gridImportWh[t] = imp;
  acc.gridExportWh[t] = exp;
  acc.transformerKwh[t] = ctx.physicalKwh;
}

/** Clears the interval's orders with the variant's mechanism and accrues the market's totals. */
function clearVariant(
  state: RunState,
  ctx: IntervalContext,
  acc: VariantAccount,
  mechanism: Mechanism,
): { clearingInput: ClearingInput; result: SettledInterval } {
  const { orders, input } = state;
  const { t, importPrice, exportPrice } = ctx;
  const clearingInput: ClearingInput = {
    interval: { startMs: ctx.startMs, minutes: input.stepMinutes },
    grid: {
      importPriceMicro: importPrice,
      exportPriceMicro: exportPrice,
      networkFeeMicro: input.networkFeeMicro,
    },
    orders: orders.slice(),
  };
  const kPpm = acc.plan.kPpm;
  const result = clearMarket(clearingInput, kPpm === null ? { mechanism } : { mechanism, kPpm });
  acc.welfareMicro += result.summary.welfareMicro;
  // Efficiency at the homes' own tariff values, whatever they bid.
  const spread = Math.max(0, importPrice - exportPrice);
  acc.localValueMicro += (result.summary.tradedWh * spread) / 1000;
  acc.maxLocalValueMicro += (Math.min(ctx.supplyWh, ctx.demandWh) * spread) / 1000;
  acc.ordersTotal += orders.length;
  for (let j = 0; j < orders.length; j++)
    if ((result.orderFilledWh[j] as number) === 0) acc.ordersUnmatched++;
  acc.networkFeesMicro += result.summary.networkFeesMicro;
  acc.budgetSurplusMicro += result.summary.budgetSurplusMicro;
  acc.tradeCount += result.trades.length;
  acc.localTradedWh[t] = result.summary.tradedWh;
  const prices = result.summary.prices;
  if (result.trades.length > 0)
    acc.priceMicro[t] = prices.clearingPriceMicro ?? prices.buyPriceMicro ?? averagePrice(result);
  return { clearingInput, result };
}

/** Each agent observes how its order did; every agent hears what the market published. */
function teachAgents(
  state: RunState,
  ctx: IntervalContext,
  acc: VariantAccount,
  result: SettledInterval,
): void {
  const { orders, orderMember, agents } = state;
  const price = result.trades.length > 0 ? (acc.priceMicro[ctx.t] as number) : null;
  for (let j = 0; j < orders.length; j++) {
    const o = orders[j] as Order;
    (agents[orderMember[j] as number] as Agent).observe({
      side: o.side,
      limitMicro: o.limitPriceMicro,
      filled: (result.orderFilledWh[j] as number) / o.energyWh,
      priceMicro: price,
      slot: ctx.slot,
      importMicro: ctx.importPrice,
      exportMicro: ctx.exportPrice,
    });
  }
  const market = {
    slot: ctx.slot,
    priceMicro: price,
    importMicro: ctx.importPrice,
    exportMicro: ctx.exportPrice,
    supplyWh: ctx.supplyWh,
    demandWh: ctx.demandWh,
  };
  for (const a of agents) a.hear(market);
}

/**
 * What the market left to the grid, per home: the community battery takes or covers part of it,
 * the rest is the grid's. Accrues each home's trades and grid exchange.
 */
function settleRemainders(
  state: RunState,
  ctx: IntervalContext,
  acc: VariantAccount,
  result: SettledInterval,
  cb: BatteryState | null,
): void {
  const { orders, orderMember, importShare, exportShare, ids } = state;
  const { t } = ctx;
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
  const { chargeWh, dischargeWh } = exchangeWithBattery(cb, acc, t, {
    importWh: unmatchedImport,
    exportWh: unmatchedExport,
  });
  const fromCb =
    dischargeWh > 0
      ? apportionShares(dischargeWh, importShare, orders, orderMember, "buy", ids)
      : undefined;
  const toCb =
    chargeWh > 0
      ? apportionShares(chargeWh, exportShare, orders, orderMember, "sell", ids)
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
      h.co2Kg += (grid / 1000) * ctx.carbon;
      if (grid > h.peakImportWh) h.peakImportWh = grid;
      gridImport += grid;
      settleWithBattery(acc, "buy", cbPart, ctx.importPrice);
      importShare[i] = 0;
    } else {
      const cbPart = toCb?.get(i) ?? 0;
      const grid = (exportShare[i] as number) - cbPart;
      h.toCommunityBatteryWh += cbPart;
      h.exportWh += grid;
      gridExport += grid;
      settleWithBattery(acc, "sell", cbPart, ctx.exportPrice);
      exportShare[i] = 0;
    }
  }
  acc.communityBattery.chargedKwh += chargeWh / 1000;
  acc.communityBattery.dischargedKwh += dischargeWh / 1000;
  acc.gridImportWh[t] = gridImport;
  acc.gridExportWh[t] = gridExport;
  acc.transformerKwh[t] = ctx.physicalKwh + chargeWh / 1000 - dischargeWh / 1000;
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
