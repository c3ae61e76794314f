/** A load the home may move in time: an energy to serve within a window, at most some power. */

/** Energy to serve within steps [startStep, endStep), at most `maxKw`. */
export interface FlexibleLoad {
  readonly name: string;
  readonly energyKwh: number;
  readonly startStep: number;
  readonly endStep: number;
  readonly maxKw: number;
}

/**
 * Serves each load as soon as its window opens, at full power (the self-consumption rule's way):
 * per load, its power at each of `count` steps of `stepHours`, kW.
 */
export function serveAsSoonAsPossible(
  loads: readonly FlexibleLoad[],
  count: number,
  stepHours: number,
): Float64Array[] {
  return loads.map((f) => {
    const kw = new Float64Array(count);
    let served = 0;
    for (let t = Math.max(0, f.startStep); t < Math.min(count, f.endStep); t++) {
      const p = Math.min(f.maxKw, (f.energyKwh - served) / stepHours);
      if (p <= 0) break;
      served += p * stepHours;
      kw[t] = p;
    }
    return kw;
  });
}
