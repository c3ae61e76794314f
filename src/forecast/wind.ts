/**
 * Small wind: a turbine's output from the wind speed, measured or forecast, at another height.
 * The speed is carried to hub height by the power law of the wind profile, v_hub = v_ref ×
 * (h_hub / h_ref)^α (α = 1/7 over open flat ground; Peterson & Hennessey 1978), and read on the
 * power curve, linear between its points, zero below cut-in and above cut-out, capped at the
 * rated power. Fed with a wind-speed forecast (e.g. an NWP model's 10 m wind, √(u² + v²)) it is
 * the wind power forecast; fed with measurements, the simulation's turbine.
 */

export interface Turbine {
  readonly ratedKw: number;
  readonly hubHeightM: number;
  /** Pairs [m/s at hub height, kW], speeds increasing. */
  readonly powerCurve: readonly (readonly [number, number])[];
  /** Power-law shear exponent (default 1/7). */
  readonly shearExponent?: number | undefined;
}

/** The wind speed at hub height from a speed measured or forecast at `heightM`. */
export function hubSpeed(speed: number, heightM: number, t: Turbine): number {
  return speed * (t.hubHeightM / heightM) ** (t.shearExponent ?? 1 / 7);
}

/** The turbine's power, kW, at a hub-height wind speed. */
export function turbinePower(hubMs: number, t: Turbine): number {
  const curve = t.powerCurve;
  const first = curve[0] as readonly [number, number];
  const last = curve[curve.length - 1] as readonly [number, number];
  if (!(hubMs >= first[0]) || hubMs > last[0]) return 0;
  let k = 1;
  while (k < curve.length - 1 && (curve[k] as readonly [number, number])[0] < hubMs) k++;
  const [v1, p1] = curve[k - 1] as readonly [number, number];
  const [v2, p2] = curve[k] as readonly [number, number];
  const p = v2 === v1 ? p2 : p1 + ((p2 - p1) * (hubMs - v1)) / (v2 - v1);
  return Math.min(p, t.ratedKw);
}

/** Energy per interval, kWh, from wind speeds at `heightM` (measured or forecast). */
export function windEnergy(
  speeds: Float64Array,
  heightM: number,
  t: Turbine,
  stepHours: number,
): Float64Array {
  return speeds.map((v) => turbinePower(hubSpeed(v, heightM, t), t) * stepHours);
}

/** The wind speed from its eastward and northward components (NWP's u and v). */
export function speedOf(u: number, v: number): number {
  return Math.hypot(u, v);
}
