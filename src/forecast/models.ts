/**
 * Forecast models, each fitted on what is known at an origin and forecasting the next hours:
 *
 * - `persistence`: each hour by the value 24 hours earlier (beyond 24 hours ahead, the same hour
 *   of the last day before the origin);
 * - `seasonal-naive`: the same hour one week earlier (the same hour and weekday of the last week
 *   before the origin);
 * - `climatology`: the mean of the same hour and day type (weekday, weekend) over the 4 weeks
 *   before the origin;
 * - `nwp-linear` (with weather forecasts): one least-squares line per hour of the day on the
 *   forecast solar radiation, the simple benchmark of the GEFCom2014 solar track;
 * - `physical` (with weather forecasts): sun position, plane-of-array irradiance and temperature
 *   derating (src/forecast/pvPhysical.ts), the site and scale fitted on the past;
 * - `ridge`: a regularised linear model on calendar features (hour, day type, season), the
 *   recent past (the persistence value, last week's value, yesterday's and last week's means) and,
 *   where given, every weather forecast and its interaction with the hour of the day;
 * - `gbt`: gradient-boosted trees on the same features with the absolute loss, so that they
 *   forecast the median (src/forecast/learners.ts).
 *
 * Learned models train on every past origin's forecast problem (features as they were known at
 * that origin, targets then in the past) and are refitted on the backtest's schedule.
 */
import { fitGbt, fitRidge, meanOf, type Regressor } from "./learners.js";
import { fitMlp } from "./mlp.js";
import { calendar, type ForecastData, OriginView } from "./problem.js";
import { type ArraySite, planeOfArray, pvOutput, sunPosition } from "./pvPhysical.js";

export interface ForecastModel {
  readonly name: string;
  /** Learned models forecast their median: the point plus the median of their recent errors. */
  readonly medianAdjusted?: boolean;
  /** Fits on what the view allows; models without parameters do nothing. */
  fit(view: OriginView, horizon: number): void;
  /** Point forecasts for hours origin .. origin + horizon - 1. */
  predict(view: OriginView, horizon: number): Float64Array;
}

export const MODEL_NAMES = [
  "persistence",
  "seasonal-naive",
  "climatology",
  "nwp-linear",
  "physical",
  "ridge",
  "gbt",
  "mlp",
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The value `period` hours before target hour t, from the last period before the origin. */
function seasonal(view: OriginView, t: number, period: number): number {
  let i = t - period;
  while (i >= view.origin) i -= period;
  return view.value(i);
}

function persistenceModel(name: string, period: number): ForecastModel {
  return {
    name,
    fit() {},
    predict(view, horizon) {
      return Float64Array.from({ length: horizon }, (_, j) =>
        seasonal(view, view.origin + j, period),
      );
    },
  };
}

function climatologyModel(): ForecastModel {
  return {
    name: "climatology",
    fit() {},
    predict(view, horizon) {
      const sum = new Float64Array(48);
      const n = new Float64Array(48);
      for (let i = Math.max(0, view.origin - 28 * 24); i < view.origin; i++) {
        const v = view.value(i);
        if (Number.isNaN(v)) continue;
        const c = calendar(view.data, i);
        const k = c.hour + (c.weekend ? 24 : 0);
        sum[k] = (sum[k] as number) + v;
        n[k] = (n[k] as number) + 1;
      }
      return Float64Array.from({ length: horizon }, (_, j) => {
        const c = calendar(view.data, view.origin + j);
        const k = c.hour + (c.weekend ? 24 : 0);
        return (n[k] as number) > 0 ? (sum[k] as number) / (n[k] as number) : 0;
      });
    },
  };
}

/** The index of the solar radiation forecast (GEFCom's SSRD) among the weather features. */
function radiationFeature(data: ForecastData): number {
  return data.nwp ? data.nwp.names.indexOf("ssrd") : -1;
}

function nwpLinearModel(): ForecastModel {
  let lines: { a: number; b: number }[] = [];
  return {
    name: "nwp-linear",
    fit(view) {
      const f = radiationFeature(view.data);
      const acc = Array.from({ length: 24 }, () => ({ sx: 0, sy: 0, sxx: 0, sxy: 0, n: 0 }));
      for (let i = 0; i < view.origin; i++) {
        const y = view.value(i);
        if (Number.isNaN(y) || !view.hasNwp(i)) continue;
        const x = view.nwp(f, i);
        const a = acc[calendar(view.data, i).hour] as (typeof acc)[number];
        a.sx += x;
        a.sy += y;
        a.sxx += x * x;
        a.sxy += x * y;
        a.n++;
      }
      lines = acc.map((a) => {
        const den = a.n * a.sxx - a.sx * a.sx;
        const b = a.n > 1 && den > 0 ? (a.n * a.sxy - a.sx * a.sy) / den : 0;
        return { a: a.n > 0 ? (a.sy - b * a.sx) / a.n : 0, b };
      });
    },
    predict(view, horizon) {
      const f = radiationFeature(view.data);
      return Float64Array.from({ length: horizon }, (_, j) => {
        const t = view.origin + j;
        const line = lines[calendar(view.data, t).hour] ?? { a: 0, b: 0 };
        return line.a + line.b * view.nwp(f, t);
      });
    },
  };
}

/**
 * The physical model (src/forecast/pvPhysical.ts) driven by the forecast radiation and air
 * temperature. Where the array is and how it faces is not in the data (GEFCom2014 does not say
 * where its plants are), so the first fit picks the site and orientation that explain the
 * training hours best on a coarse grid (latitude, longitude, tilt; facing the equator) and every
 * fit sets the scale (kWp per unit of the series) by least squares; nothing after the origin.
 */
function physicalModel(): ForecastModel {
  let site: ArraySite | null = null;
  let scale = 0;
  const unitOutput = (view: OriginView, t: number, s: ArraySite) => {
    const n = view.data.nwp as NonNullable<ForecastData["nwp"]>;
    const ghi = view.nwp(n.names.indexOf("ssrd"), t);
    const air = view.nwp(n.names.indexOf("t2"), t) - 273.15;
    const sun = sunPosition(view.data.startMs + (t + 0.5) * 3_600_000, s.latitude, s.longitude);
    return pvOutput(planeOfArray(ghi, sun, s), air, 1);
  };
  const fitScale = (view: OriginView, s: ArraySite, hours: number[]) => {
    let xy = 0;
    let xx = 0;
    for (const t of hours) {
      const x = unitOutput(view, t, s);
      const y = view.value(t);
      xy += x * y;
      xx += x * x;
    }
    return {
      k: xx > 0 ? xy / xx : 0,
      sse: (k: number) =>
        hours.reduce((a, t) => a + (view.value(t) - k * unitOutput(view, t, s)) ** 2, 0),
    };
  };
  return {
    name: "physical",
    fit(view) {
      const hours: number[] = [];
      for (let t = Math.max(0, view.origin - 365 * 24); t < view.origin; t++)
        if (view.hasNwp(t) && !Number.isNaN(view.value(t))) hours.push(t);
      if (site === null) {
        // Longitude from when the output peaks (solar noon), then a grid around it.
        const byHour = new Float64Array(24);
        for (const t of hours)
          byHour[calendar(view.data, t).hour] =
            (byHour[calendar(view.data, t).hour] as number) + view.value(t);
        let sx = 0;
        let sy = 0;
        byHour.forEach((v, h) => {
          sx += v * Math.cos((2 * Math.PI * (h + 0.5)) / 24);
          sy += v * Math.sin((2 * Math.PI * (h + 0.5)) / 24);
        });
        const noonUtc = ((Math.atan2(sy, sx) / (2 * Math.PI)) * 24 + 24) % 24;
        const longitude0 = Math.round(
          (((12 - noonUtc - view.data.clockOffsetH) * 15 + 540) % 360) - 180,
        );
        const sample = hours.filter((t, i) => i % 4 === 0 && view.value(t) > 0);
        let best = Number.POSITIVE_INFINITY;
        for (let latitude = -45; latitude <= 55; latitude += 5)
          for (const dLon of [-10, -5, 0, 5, 10])
            for (const tilt of [0, 15, 30, 45])
              for (const turn of [-45, -20, 0, 20, 45]) {
                const s: ArraySite = {
                  latitude,
                  longitude: longitude0 + dLon,
                  tilt,
                  azimuth: ((latitude < 0 ? 0 : 180) + turn + 360) % 360,
                };
                const f = fitScale(view, s, sample);
                const e = f.sse(f.k);
                if (e < best) {
                  best = e;
                  site = s;
                }
              }
      }
      if (site) scale = fitScale(view, site, hours).k;
    },
    predict(view, horizon) {
      return Float64Array.from({ length: horizon }, (_, j) =>
        site ? scale * unitOutput(view, view.origin + j, site) : 0,
      );
    },
  };
}

/**
 * The features of target hour t = origin + lead as known at the origin. `oneHot` spreads the hour
 * of the day over 24 indicators (and its interaction with each weather feature) for linear models.
 */
export function featuresAt(view: OriginView, lead: number, oneHot: boolean): Float64Array {
  const data = view.data;
  const t = view.origin + lead;
  const c = calendar(data, t);
  const out: number[] = [];
  if (oneHot) for (let h = 0; h < 24; h++) out.push(c.hour === h ? 1 : 0);
  else out.push(c.hour, c.dayOfWeek);
  out.push(c.weekend ? 1 : 0);
  out.push(
    Math.sin((2 * Math.PI * c.dayOfYear) / 365.25),
    Math.cos((2 * Math.PI * c.dayOfYear) / 365.25),
  );
  out.push(lead);
  // The recent past, as known at the origin.
  out.push(seasonal(view, t, 24), view.origin >= 168 ? seasonal(view, t, 168) : Number.NaN);
  const days = (from: number, to: number, keep: (i: number) => boolean = () => true) => {
    const xs: number[] = [];
    for (let k = from; k <= to; k++) {
      const i = t - 24 * k;
      if (i < view.origin && i >= 0 && keep(i)) xs.push(view.value(i));
    }
    return meanOf(xs);
  };
  const yesterday: number[] = [];
  for (let i = Math.max(0, view.origin - 24); i < view.origin; i++) yesterday.push(view.value(i));
  out.push(meanOf(yesterday));
  const week = days(1, 7);
  out.push(week);
  // Yesterday's same hour smoothed over the hours either side, the last value known, the mean
  // of the same hour and day type over the last four weeks, and over the last three days.
  out.push(
    (seasonal(view, t - 1, 24) + seasonal(view, t, 24) + seasonal(view, t + 1, 24)) / 3,
    view.value(view.origin - 1),
  );
  out.push(days(1, 28, (i) => calendar(data, i).weekend === c.weekend));
  out.push(days(1, 3));
  if (oneHot) {
    // How much each of these to trust differs by the hour of the day.
    const lagged = [seasonal(view, t, 24), out[out.length - 1] as number, week];
    for (const p of lagged) for (let h = 0; h < 24; h++) out.push(c.hour === h ? p : 0);
  }
  // PV: the clear-sky output at this hour, as the best of the 30 days before the origin, and
  // that scaled by the weather forecast's clear-sky index (a physical first guess).
  if (data.kind === "pv" && data.nwp) {
    let best = 0;
    for (let k = 1; k <= 30; k++) {
      const i = t - 24 * k;
      if (i < view.origin && i >= 0) {
        const v = view.value(i);
        if (v > best) best = v;
      }
    }
    out.push(best);
    const ci = data.nwp.names.indexOf("clear_index");
    out.push(ci >= 0 && view.hasNwp(t) ? best * view.nwp(ci, t) : Number.NaN);
  }
  // Weather forecasts issued by the origin, for the target hour; for the radiation and cloud
  // fields also the hours either side (a forecast's timing is uncertain) and the day's total.
  if (data.nwp && view.hasNwp(t)) {
    const names = data.nwp.names;
    const near = (f: number, i: number) => (view.hasNwp(i) ? view.nwp(f, i) : view.nwp(f, t));
    for (let f = 0; f < names.length; f++) {
      const v = view.nwp(f, t);
      out.push(v);
      const name = names[f] as string;
      if (name === "ssrd" || name === "tcc" || name === "clear_index") {
        out.push(near(f, t - 1), near(f, t + 1));
        let total = 0;
        for (let i = view.origin; i < view.origin + 24; i++)
          if (view.hasNwp(i)) total += view.nwp(f, i);
        out.push(total);
      }
      if (oneHot && (name === "ssrd" || name === "tsr" || name === "clear_index"))
        for (let h = 0; h < 24; h++) out.push(c.hour === h ? v : 0);
    }
  }
  return Float64Array.from(out);
}

/**
 * PV at an hour the weather forecast puts the sun below the horizon (no solar radiation at the
 * top of the atmosphere): nothing to learn or forecast but zero.
 */
function dark(view: OriginView, t: number): boolean {
  const n = view.data.nwp;
  if (view.data.kind !== "pv" || n === null || !view.hasNwp(t)) return false;
  const f = n.names.indexOf("tsr");
  return f >= 0 && view.nwp(f, t) <= 1;
}

/**
 * Features at a past origin never change (they read only what was known then): each learned
 * model's training rows are computed once per (origin, lead) and kept with the data.
 */
const featureCache = new WeakMap<ForecastData, Map<string, Float64Array>>();

function cachedFeatures(past: OriginView, lead: number, oneHot: boolean): Float64Array {
  let cache = featureCache.get(past.data);
  if (cache === undefined) {
    cache = new Map();
    featureCache.set(past.data, cache);
  }
  const key = `${past.origin}:${lead}:${oneHot ? 1 : 0}`;
  let row = cache.get(key);
  if (row === undefined) {
    row = featuresAt(past, lead, oneHot);
    cache.set(key, row);
  }
  return row;
}

/** The training set of a learned model: every earlier origin's problem, targets already known. */
function trainingSet(view: OriginView, horizon: number, oneHot: boolean, maxDays: number) {
  const rows: Float64Array[] = [];
  const y: number[] = [];
  const first = Math.max(0, view.origin - maxDays * 24);
  const data = view.data;
  for (let o = first; o < view.origin; o++) {
    if (calendar(data, o).hour !== 0 || o < 24) continue;
    const past = new OriginView(data, o);
    for (let j = 0; j < horizon && o + j < view.origin; j++) {
      const target = view.value(o + j);
      if (Number.isNaN(target)) continue;
      if (data.nwp && !past.hasNwp(o + j)) continue;
      if (dark(past, o + j)) continue;
      rows.push(cachedFeatures(past, j, oneHot));
      y.push(target);
    }
  }
  return { rows, y };
}

function learnedModel(name: "ridge" | "gbt" | "mlp"): ForecastModel {
  let model: Regressor | null = null;
  const oneHot = name === "ridge";
  return {
    name,
    medianAdjusted: true,
    fit(view, horizon) {
      const { rows, y } = trainingSet(view, horizon, oneHot, oneHot ? 365 : 180);
      if (rows.length < 48) {
        model = null;
        return;
      }
      model =
        name === "ridge"
          ? fitRidge(rows, y, 1e-2)
          : name === "mlp"
            ? fitMlp(rows, y)
            : fitGbt(rows, y, {
                rounds: 250,
                depth: 5,
                learningRate: 0.05,
                minLeaf: 20,
                loss: "l1",
                subsample: 0.7,
              });
    },
    predict(view, horizon) {
      return Float64Array.from({ length: horizon }, (_, j) =>
        dark(view, view.origin + j)
          ? 0
          : model
            ? model.predict(featuresAt(view, j, oneHot))
            : seasonal(view, view.origin + j, 24),
      );
    },
  };
}

/** A fresh model by name. */
export function createModel(name: ModelName): ForecastModel {
  switch (name) {
    case "persistence":
      return persistenceModel("persistence", 24);
    case "seasonal-naive":
      return persistenceModel("seasonal-naive", 168);
    case "climatology":
      return climatologyModel();
    case "nwp-linear":
      return nwpLinearModel();
    case "physical":
      return physicalModel();
    case "ridge":
    case "gbt":
    case "mlp":
      return learnedModel(name);
  }
}
