/**
 * Known PV faults injected into a copy of one system's hourly series (CityLearn layout: hour 0
 * is 23:00 local), shared by the PV health tests and bench.
 */
import type { Rng } from "../../src/core/rng.js";
import type { PvCause, PvSystemInput } from "../../src/maintenance/pvHealth.js";

const HOUR = 24;

/**
 * A copy of `sys` with one fault: an outage of 3-14 days, a 20 % derate from a random day, a
 * 1 %/month degradation, soiling cycles (losses of 15-25 % building over 20-40 days, then
 * cleaned), two hours around noon losing 60 % (shade), or a kWp on record 1.6 or 0.6 times the
 * array's.
 */
export function injectPvFault(sys: PvSystemInput, cause: PvCause, rng: Rng): PvSystemInput {
  const e = Float64Array.from(sys.energyKwh);
  const days = Math.floor(e.length / HOUR);
  const scaleDays = (from: number, to: number, factor: (d: number, h: number) => number) => {
    for (let d = from; d < to; d++)
      for (let h = 0; h < HOUR; h++) {
        const i = d * HOUR + h;
        if (i < e.length) e[i] = (e[i] as number) * factor(d, h);
      }
  };
  switch (cause) {
    case "outage": {
      const from = rng.int(20, days - 30);
      scaleDays(from, from + rng.int(3, 14), () => 0);
      break;
    }
    case "derate": {
      scaleDays(rng.int(60, days - 60), days, () => 0.8);
      break;
    }
    case "degradation":
      scaleDays(0, days, (d) => 1 - (0.01 * d) / 30.44);
      break;
    case "soiling": {
      let d = rng.int(10, 40);
      while (d < days - 60) {
        const build = rng.int(20, 40);
        const worst = 0.15 + 0.1 * rng.next();
        const start = d;
        scaleDays(start, start + build, (x) => 1 - (worst * (x - start + 1)) / build);
        d += build + rng.int(30, 60);
      }
      break;
    }
    case "shading": {
      // Two hours around local noon lose 60 % (hour index 0 is 23:00 local in CityLearn).
      const h0 = rng.int(11, 13) + 1;
      scaleDays(0, days, (_, h) => (h === h0 || h === h0 + 1 ? 0.4 : 1));
      break;
    }
    case "wrong_kwp":
      return { ...sys, kwp: sys.kwp * (rng.next() < 0.5 ? 1.6 : 0.6) };
  }
  return { ...sys, energyKwh: e };
}
