/**
 * A battery as the simulation runs it: state of charge in kWh, losses split evenly between
 * charging and discharging (each sqrt of the round-trip efficiency), power and reserve limits.
 * Energies are at the battery's terminals (the home's bus), kWh per interval.
 */
import type { BatterySpec } from "./types.js";

export class BatteryState {
  soc: number;
  private readonly etaIn: number;
  private readonly etaOut: number;
  private readonly floor: number;
  private readonly maxStep: number;
  /** Energy delivered out of the battery so far, kWh. */
  discharged = 0;
  /** Energy taken into the battery so far, kWh. */
  charged = 0;

  constructor(
    readonly spec: BatterySpec,
    stepHours: number,
  ) {
    this.etaIn = Math.sqrt(spec.roundTripEfficiency);
    this.etaOut = Math.sqrt(spec.roundTripEfficiency);
    this.floor = spec.minSoc * spec.capacityKwh;
    this.soc = Math.max(this.floor, spec.initialSoc * spec.capacityKwh);
    this.maxStep = spec.powerKw * stepHours;
  }

  /** The most it can take from the bus this interval, kWh. */
  chargeableKwh(): number {
    return Math.max(0, Math.min(this.maxStep, (this.spec.capacityKwh - this.soc) / this.etaIn));
  }

  /** The most it can deliver to the bus this interval, kWh. */
  dischargeableKwh(): number {
    return Math.max(0, Math.min(this.maxStep, (this.soc - this.floor) * this.etaOut));
  }

  /** Takes up to `offerKwh` from the bus; returns what it took. */
  charge(offerKwh: number): number {
    const room = (this.spec.capacityKwh - this.soc) / this.etaIn;
    const e = Math.max(0, Math.min(offerKwh, this.maxStep, room));
    this.soc = Math.min(this.spec.capacityKwh, this.soc + e * this.etaIn);
    this.charged += e;
    return e;
  }

  /** Delivers up to `needKwh` to the bus; returns what it delivered. */
  discharge(needKwh: number): number {
    const available = (this.soc - this.floor) * this.etaOut;
    const e = Math.max(0, Math.min(needKwh, this.maxStep, available));
    this.soc = Math.max(this.floor, this.soc - e / this.etaOut);
    this.discharged += e;
    return e;
  }

  /** State of charge as a fraction of capacity. */
  get fraction(): number {
    return this.soc / this.spec.capacityKwh;
  }
}
