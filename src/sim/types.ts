import type { AgentPreferences, StrategyName } from "../agents/strategies.js";
/**
 * What a simulation runs on: every series already on the simulation's time axis (kWh per interval,
 * prices in micro-units per kWh), so the engine does no I/O and no unit conversion of its own.
 */
import type { BatterySpec } from "../home/battery.js";
import type { EvSpec } from "../home/ev.js";
import type { FlexibleLoad } from "../home/flexibleLoad.js";
import type { MechanismName } from "../market/types.js";

export interface MemberInput {
  /** The data set's own id (e.g. Building_3), or a derived one for drawn homes (Building_3#7). */
  readonly id: string;
  readonly name: string;
  /** Household consumption, kWh per interval (EV charging excluded). */
  readonly loadKwh: Float64Array;
  /** PV generation, kWh per interval (null: no PV). */
  readonly pvKwh: Float64Array | null;
  readonly pvKwp: number;
  /** The home's trading agent: its strategy (default: the market's) and preferences. */
  readonly agent?:
    | { readonly strategy?: StrategyName | undefined; readonly preferences: AgentPreferences }
    | undefined;
  /** 1 for each interval whose load or PV is an estimate, not a measurement (null: all measured). */
  readonly estimated?: Uint8Array | null | undefined;
  /** Small wind turbine output, kWh per interval (null: none). */
  readonly windKwh: Float64Array | null;
  readonly battery: BatterySpec | null;
  readonly ev: EvSpec | null;
  /** Loads the home may move in time; the self-consumption rule serves them at once. */
  readonly flexibleLoads?: readonly FlexibleLoad[] | undefined;
  /** Where the home's data came from (for drawn homes: template, time shift, scaling). */
  readonly source: Readonly<Record<string, string | number>>;
}

export interface MarketSpec {
  readonly mechanism: MechanismName;
  /** k in ppm, or null for the mechanism's default. */
  readonly kPpm: number | null;
  /** Every home's strategy unless its own `agent` says otherwise. */
  readonly strategy: StrategyName;
}

export interface SimulationInput {
  readonly name: string;
  readonly startMs: number;
  readonly stepMinutes: number;
  readonly count: number;
  /** IANA zone for local time (tariffs, EV patterns, display). */
  readonly timeZone: string;
  readonly currency: string;
  readonly seed: number;
  readonly members: readonly MemberInput[];
  /** Import price per interval, micro-units per kWh. */
  readonly importPriceMicro: Float64Array;
  /** Feed-in price, micro-units per kWh. */
  readonly exportPriceMicro: number;
  /** Network fee on local trades, micro-units per kWh. */
  readonly networkFeeMicro: number;
  /** Grid carbon intensity per interval, kg CO2 per kWh. */
  readonly carbonKgPerKwh: Float64Array;
  readonly communityBattery: BatterySpec | null;
  readonly market: MarketSpec;
  /** Extra mechanisms to run on the same community in the same run. */
  readonly compare: readonly MechanismName[];
  /** Record the scenario's own variant in a ledger. */
  readonly ledger: boolean;
  /** Sign every order with its home's key (otherwise the operator attests them). */
  readonly signOrders: boolean;
  /**
   * Home batteries follow these schedules (kWh into the battery per interval, negative out; one
   * per member, null for the self-consumption rule) instead of the rule. The battery still keeps
   * to its limits; whatever the schedule and the actual flows leave goes to the market.
   */
  readonly batteryPlans?: readonly (Float64Array | null)[] | undefined;
  /** How home batteries were run, for the record (default: the self-consumption rule). */
  readonly batteryPolicy?: BatteryPolicy | undefined;
  /** The MV/LV transformer the community sits behind, for its ageing (null: not assessed). */
  readonly transformer?: TransformerInput | null | undefined;
}

/**
 * How home batteries run: the self-consumption rule, the joint optimum with perfect day-ahead
 * foresight, or each home's own MPC. The names are the optimiser's (`optimize household --policy`).
 */
export const BATTERY_POLICIES = ["rule", "perfect", "mpc"] as const;
export type BatteryPolicy = (typeof BATTERY_POLICIES)[number];

/** A policy as a flag or a scenario file may name it: `optimal` is the old name of `perfect`. */
export type BatteryPolicyName = BatteryPolicy | "optimal";

/** The policy a name stands for, the alias `optimal` read as `perfect`. */
export function batteryPolicyOf(name: BatteryPolicyName): BatteryPolicy {
  return name === "optimal" ? "perfect" : name;
}

export interface TransformerInput {
  readonly ratingKva: number;
  /** Air temperature around it per interval, °C. */
  readonly ambientC: Float64Array;
}
