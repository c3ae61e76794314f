/**
 * The forecasts a household's MPC plans with, each from data before the forecast origin only:
 * persistence (the same time yesterday), a rolling mean daily profile, or the mean daily profile
 * of the days before the period (fixed).
 */
import { meanProfile, persistence, type SeriesForecaster } from "../forecast/naive.js";
import type { Forecaster } from "./policies.js";

export const FORECASTS = ["persistence", "profile", "fixed-profile"] as const;
export type ForecastName = (typeof FORECASTS)[number];

/** What a forecaster needs of a household: its history, kW, and where the period starts in it. */
export interface HouseholdHistory {
  readonly history: {
    readonly loadKw: Float64Array;
    readonly pvKw: Float64Array;
    readonly offset: number;
  };
  readonly stepsPerDay: number;
  /** Days a mean profile averages (default 30). */
  readonly config: { readonly mpc?: { readonly history_days?: number | undefined } | undefined };
}

/** The household's load and PV forecaster called `name`. */
export function householdForecaster(h: HouseholdHistory, name: ForecastName): Forecaster {
  const { loadKw, pvKw, offset } = h.history;
  const days = h.config.mpc?.history_days ?? 30;
  const spd = h.stepsPerDay;
  const pick = (series: Float64Array): SeriesForecaster =>
    name === "persistence"
      ? persistence(series, spd)
      : meanProfile(series, spd, days, name === "fixed-profile" ? offset : undefined);
  const load = pick(loadKw);
  const pv = pick(pvKw);
  const label =
    name === "persistence"
      ? "persistence (same time yesterday)"
      : name === "profile"
        ? `mean daily profile of the last ${days} days (rolling)`
        : `mean daily profile of the ${days} days before the period (fixed)`;
  return {
    name: label,
    forecast: (t, horizon) => ({
      loadKw: load.forecast(offset + t, horizon),
      pvKw: pv.forecast(offset + t, horizon),
    }),
  };
}
