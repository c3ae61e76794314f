/**
 * Transformer hot-spot temperature and insulation ageing from a loading series and the ambient
 * temperature: the thermal model of IEC 60076-7 (loading guide for mineral-oil-immersed
 * transformers), solved with its difference equations (clause 8.2.2 and Annex C of the 2018
 * edition) on one-minute steps, and the relative ageing rate of non-thermally-upgraded paper,
 * V = 2^((θh − 98) / 6), whose integral is the loss of life.
 *
 * Top oil:   dθo  = dt / (k11 τo) · [ ((1 + K² R) / (1 + R))^x · Δθor − (θo − θa) ]
 * Hot spot:  dΔθh1 = dt / (k22 τw) · [ k21 Hgr K^y − Δθh1 ]
 *            dΔθh2 = dt / (τo / k22) · [ (k21 − 1) Hgr K^y − Δθh2 ]
 *            θh = θo + Δθh1 − Δθh2
 *
 * with K the load in per unit of the rating. Defaults are the standard's ONAN distribution
 * transformer (R 5, x 0.8, y 1.6, k11 1, k21 1, k22 2, τo 180 min, τw 4 min, Δθor 55 K,
 * Hgr 23 K): at rated load in 20 °C air the hot spot is 98 °C and the paper ages at the normal
 * rate, V = 1. The calculation starts in the steady state of the first step, as the standard
 * advises.
 */

export interface ThermalParameters {
  /** Ratio of load losses at rated current to no-load losses. */
  readonly R: number;
  /** Oil exponent and winding exponent. */
  readonly x: number;
  readonly y: number;
  readonly k11: number;
  readonly k21: number;
  readonly k22: number;
  /** Oil and winding time constants, minutes. */
  readonly tauOilMin: number;
  readonly tauWindingMin: number;
  /** Top-oil rise at rated losses and hot-spot-to-top-oil gradient at rated current, K. */
  readonly topOilRiseK: number;
  readonly hotSpotGradientK: number;
}

/** IEC 60076-7, ONAN distribution transformer. */
export const IEC_ONAN_DISTRIBUTION: ThermalParameters = {
  R: 5,
  x: 0.8,
  y: 1.6,
  k11: 1,
  k21: 1,
  k22: 2,
  tauOilMin: 180,
  tauWindingMin: 4,
  topOilRiseK: 55,
  hotSpotGradientK: 23,
};

/** Limits of IEC 60076-7 for distribution transformers under normal cyclic loading. */
export const NORMAL_CYCLIC_LIMITS = { hotSpotC: 120, topOilC: 105, currentPu: 1.5 };

/** The relative ageing rate of non-thermally-upgraded paper at a hot-spot temperature. */
export function relativeAgeingRate(hotSpotC: number): number {
  return 2 ** ((hotSpotC - 98) / 6);
}

export interface ThermalResult {
  /** Per input step: the hot spot and top oil at the end of the step, °C. */
  readonly hotSpotC: Float64Array;
  readonly topOilC: Float64Array;
  /** Per input step: the mean relative ageing rate over the step. */
  readonly ageingRate: Float64Array;
  /** Loss of life over the series, hours (normal ageing: one hour per hour). */
  readonly lossOfLifeHours: number;
  /** Mean relative ageing rate: 1 is nominal, above 1 ages faster. */
  readonly equivalentAgeing: number;
  readonly peakHotSpotC: number;
  readonly peakTopOilC: number;
  readonly peakLoadPu: number;
  /** Hours with the hot spot above 120 °C or the load above 1.5 pu (the normal cyclic limits). */
  readonly hoursBeyondLimits: number;
}

/**
 * Runs the thermal model. `loadPu[i]` and `ambientC[i]` hold over step i of `stepMinutes`; the
 * equations advance in sub-steps of at most one minute (the standard asks for no more than half
 * the winding time constant).
 */
export function transformerThermal(
  loadPu: ArrayLike<number>,
  ambientC: ArrayLike<number>,
  stepMinutes: number,
  p: ThermalParameters = IEC_ONAN_DISTRIBUTION,
): ThermalResult {
  const n = loadPu.length;
  const sub = Math.max(1, Math.ceil(stepMinutes / Math.min(1, p.tauWindingMin / 2)));
  const dt = stepMinutes / sub;
  const hotSpotC = new Float64Array(n);
  const topOilC = new Float64Array(n);
  const ageingRate = new Float64Array(n);
  const oilRise = (k: number) => ((1 + k * k * p.R) / (1 + p.R)) ** p.x * p.topOilRiseK;
  const gradient = (k: number) => p.hotSpotGradientK * k ** p.y;
  const k0 = Math.abs(loadPu[0] ?? 0);
  let theta0 = (ambientC[0] ?? 20) + oilRise(k0);
  let dh1 = p.k21 * gradient(k0);
  let dh2 = (p.k21 - 1) * gradient(k0);
  let life = 0;
  let peakHot = Number.NEGATIVE_INFINITY;
  let peakOil = Number.NEGATIVE_INFINITY;
  let peakLoad = 0;
  let beyondMin = 0;
  for (let i = 0; i < n; i++) {
    const k = Math.abs(loadPu[i] as number);
    const ta = ambientC[i] as number;
    const oilTarget = oilRise(k);
    const g = gradient(k);
    let v = 0;
    let hot = theta0 + dh1 - dh2;
    for (let s = 0; s < sub; s++) {
      theta0 += (dt / (p.k11 * p.tauOilMin)) * (oilTarget - (theta0 - ta));
      dh1 += (dt / (p.k22 * p.tauWindingMin)) * (p.k21 * g - dh1);
      dh2 += (dt / (p.tauOilMin / p.k22)) * ((p.k21 - 1) * g - dh2);
      hot = theta0 + dh1 - dh2;
      const rate = relativeAgeingRate(hot);
      v += rate;
      if (hot > NORMAL_CYCLIC_LIMITS.hotSpotC || k > NORMAL_CYCLIC_LIMITS.currentPu)
        beyondMin += dt;
      peakHot = Math.max(peakHot, hot);
      peakOil = Math.max(peakOil, theta0);
    }
    peakLoad = Math.max(peakLoad, k);
    hotSpotC[i] = hot;
    topOilC[i] = theta0;
    ageingRate[i] = v / sub;
    life += (v / sub) * stepMinutes;
  }
  const hours = (n * stepMinutes) / 60;
  return {
    hotSpotC,
    topOilC,
    ageingRate,
    lossOfLifeHours: life / 60,
    equivalentAgeing: hours > 0 ? life / 60 / hours : 0,
    peakHotSpotC: peakHot,
    peakTopOilC: peakOil,
    peakLoadPu: peakLoad,
    hoursBeyondLimits: beyondMin / 60,
  };
}

export interface DailyCycle {
  readonly peakHotSpotC: number;
  readonly equivalentAgeing: number;
  readonly lossOfLifeHoursPerDay: number;
}

/**
 * A daily loading cycle repeated until it repeats itself (three days from the first step's
 * steady state), reported for the last day: the hot spot and ageing of a transformer that sees
 * this day every day.
 */
export function dailyCycle(
  loadPu: ArrayLike<number>,
  ambientC: number,
  stepMinutes: number,
  p: ThermalParameters = IEC_ONAN_DISTRIBUTION,
): DailyCycle {
  const days = 3;
  const n = loadPu.length;
  const load = new Float64Array(n * days);
  for (let d = 0; d < days; d++) for (let i = 0; i < n; i++) load[d * n + i] = loadPu[i] as number;
  const r = transformerThermal(load, new Float64Array(load.length).fill(ambientC), stepMinutes, p);
  let life = 0;
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = (days - 1) * n; i < days * n; i++) {
    life += ((r.ageingRate[i] as number) * stepMinutes) / 60;
    peak = Math.max(peak, r.hotSpotC[i] as number);
  }
  const hours = (n * stepMinutes) / 60;
  return {
    peakHotSpotC: peak,
    equivalentAgeing: life / hours,
    lossOfLifeHoursPerDay: (life * 24) / hours,
  };
}
