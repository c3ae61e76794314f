/**
 * A battery, one model for every part that runs one: its specification (energy in kWh, power in
 * kW, losses on each side), its state interval by interval (`BatteryState`, what the simulator
 * and the self-consumption rule step), and its rows in a linear program (`addBatteryRows`, what
 * the optimiser plans with). Energies are at the battery's terminals (the home's bus).
 */
import type { LinearProgram } from "../core/lp.js";

export interface BatterySpec {
  readonly capacityKwh: number;
  /** Lowest and highest state of charge allowed, kWh. */
  readonly socMinKwh: number;
  readonly socMaxKwh: number;
  readonly initialKwh: number;
  /** State of charge at the end of the period at least this, kWh (none when undefined). */
  readonly finalMinKwh?: number | undefined;
  /** Power limits on the AC side, kW (Infinity: none). */
  readonly maxChargeKw: number;
  readonly maxDischargeKw: number;
  readonly chargeEfficiency: number;
  readonly dischargeEfficiency: number;
  /** Energy always kept for outages, kWh: the state of charge never goes below it. */
  readonly reserveKwh: number;
  /** Cost per kWh charged plus per kWh discharged (AC side), for wear. */
  readonly degradationCostPerKwh: number;
  /** The rating it was given as, when it was (a scenario's battery), for the record. */
  readonly rating?: BatteryRating | undefined;
}

/** A battery as a data sheet or a scenario file rates it. */
export interface BatteryRating {
  readonly capacityKwh: number;
  readonly powerKw: number;
  /** Round-trip efficiency (0, 1]; split evenly between charge and discharge (sqrt each). */
  readonly roundTripEfficiency: number;
  /** Reserve kept for outages, as a fraction of capacity [0, 1). */
  readonly minSoc: number;
  /** State of charge at the start, fraction of capacity. */
  readonly initialSoc: number;
}

/** The battery a rating describes: losses split evenly, the same power both ways. */
export function batteryOfRating(r: BatteryRating): BatterySpec {
  const eta = Math.sqrt(r.roundTripEfficiency);
  return {
    capacityKwh: r.capacityKwh,
    socMinKwh: r.minSoc * r.capacityKwh,
    socMaxKwh: r.capacityKwh,
    initialKwh: Math.max(r.minSoc, r.initialSoc) * r.capacityKwh,
    maxChargeKw: r.powerKw,
    maxDischargeKw: r.powerKw,
    chargeEfficiency: eta,
    dischargeEfficiency: eta,
    reserveKwh: 0,
    degradationCostPerKwh: 0,
    rating: r,
  };
}

/** Lowest state of charge the battery may reach (its minimum or the outage reserve). */
export function socFloor(b: BatterySpec): number {
  return Math.max(b.socMinKwh, b.reserveKwh);
}

/** A battery's state of charge, stepped one interval of `stepHours` at a time. */
export class BatteryState {
  /** State of charge, kWh. */
  soc: number;
  private readonly floor: number;
  private readonly maxIn: number;
  private readonly maxOut: number;
  /** Energy delivered out of the battery so far, kWh. */
  discharged = 0;
  /** Energy taken into the battery so far, kWh. */
  charged = 0;

  constructor(
    readonly spec: BatterySpec,
    stepHours: number,
    initialKwh = spec.initialKwh,
  ) {
    this.floor = socFloor(spec);
    this.soc = Math.max(this.floor, initialKwh);
    this.maxIn = spec.maxChargeKw * stepHours;
    this.maxOut = spec.maxDischargeKw * stepHours;
  }

  /** The most it can take from the bus this interval, kWh. */
  chargeableKwh(): number {
    const room = (this.spec.socMaxKwh - this.soc) / this.spec.chargeEfficiency;
    return Math.max(0, Math.min(this.maxIn, room));
  }

  /** The most it can deliver to the bus this interval, kWh. */
  dischargeableKwh(): number {
    return Math.max(
      0,
      Math.min(this.maxOut, (this.soc - this.floor) * this.spec.dischargeEfficiency),
    );
  }

  /** Takes up to `offerKwh` from the bus; returns what it took. */
  charge(offerKwh: number): number {
    const eta = this.spec.chargeEfficiency;
    const room = (this.spec.socMaxKwh - this.soc) / eta;
    const e = Math.max(0, Math.min(offerKwh, this.maxIn, room));
    this.soc = Math.min(this.spec.socMaxKwh, this.soc + e * eta);
    this.charged += e;
    return e;
  }

  /** Delivers up to `needKwh` to the bus; returns what it delivered. */
  discharge(needKwh: number): number {
    const eta = this.spec.dischargeEfficiency;
    const available = (this.soc - this.floor) * eta;
    const e = Math.max(0, Math.min(needKwh, this.maxOut, available));
    this.soc = Math.max(this.floor, this.soc - e / eta);
    this.discharged += e;
    return e;
  }

  /** State of charge as a fraction of capacity. */
  get fraction(): number {
    return this.soc / this.spec.capacityKwh;
  }
}

/** A battery's variables at one step of a linear program (kW, and kWh for the state). */
export interface BatteryStepVariables {
  readonly charge: number;
  readonly discharge: number;
  readonly soc: number;
}

/**
 * One step of `dtHours` of the battery in `lp`: charge and discharge power (with the wear cost),
 * and the state of charge carried over from `previousSoc` (a variable index, or, for the first
 * step, the starting state in kWh):
 *   soc − soc_prev − ηc·dt·charge + dt/ηd·discharge = 0.
 */
export function addBatteryRows(
  lp: LinearProgram,
  b: BatterySpec,
  dtHours: number,
  previousSoc: { readonly variable: number } | { readonly kwh: number },
): BatteryStepVariables {
  const wear = b.degradationCostPerKwh * dtHours;
  const charge = lp.addVariable({ upper: b.maxChargeKw }, wear);
  const discharge = lp.addVariable({ upper: b.maxDischargeKw }, wear);
  const soc = lp.addVariable({ lower: socFloor(b), upper: b.socMaxKwh });
  const vars = [soc, charge, discharge];
  const coefs = [1, -b.chargeEfficiency * dtHours, dtHours / b.dischargeEfficiency];
  if ("variable" in previousSoc) {
    vars.push(previousSoc.variable);
    coefs.push(-1);
  }
  lp.addEquality({ vars, coefs }, "kwh" in previousSoc ? previousSoc.kwh : 0);
  return { charge, discharge, soc };
}
