/**
 * Views of a run for reports and CSVs: community totals per interval, per local month, and the
 * sample week with the most local trade.
 */

import { sum } from "../core/stats.js";
import { MS_PER_MINUTE } from "../core/time.js";
import { localParts } from "../core/timeZone.js";
import type { SimulationRun, VariantAccount } from "../sim/run.js";

export interface MonthRow {
  month: string;
  consumption_kwh: number;
  generation_kwh: number;
  local_traded_kwh: number;
  grid_import_kwh: number;
  grid_export_kwh: number;
  self_sufficiency: number | null;
}

/** Local month ("2016-08") of each interval. */
export function monthKeys(run: SimulationRun): string[] {
  const { startMs, stepMinutes, count, timeZone } = run.input;
  const out: string[] = new Array(count);
  for (let t = 0; t < count; t++) {
    const p = localParts(startMs + t * stepMinutes * MS_PER_MINUTE, timeZone);
    out[t] = `${p.year}-${String(p.month).padStart(2, "0")}`;
  }
  return out;
}

/** Community consumption and generation per interval (kWh). */
export function communityTotals(run: SimulationRun): {
  consumption: Float64Array;
  generation: Float64Array;
} {
  const n = run.input.count;
  const consumption = new Float64Array(n);
  const generation = new Float64Array(n);
  for (const f of run.flows) {
    for (let t = 0; t < n; t++) {
      consumption[t] = (consumption[t] as number) + (f.consumption[t] as number);
      generation[t] = (generation[t] as number) + (f.generation[t] as number);
    }
  }
  return { consumption, generation };
}

export function monthly(
  run: SimulationRun,
  acc: VariantAccount,
  months: readonly string[],
): MonthRow[] {
  const { consumption, generation } = communityTotals(run);
  const rows = new Map<string, MonthRow>();
  for (let t = 0; t < run.input.count; t++) {
    const key = months[t] as string;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        month: key,
        consumption_kwh: 0,
        generation_kwh: 0,
        local_traded_kwh: 0,
        grid_import_kwh: 0,
        grid_export_kwh: 0,
        self_sufficiency: null,
      };
      rows.set(key, row);
    }
    row.consumption_kwh += consumption[t] as number;
    row.generation_kwh += generation[t] as number;
    row.local_traded_kwh += (acc.localTradedWh[t] as number) / 1000;
    row.grid_import_kwh += (acc.gridImportWh[t] as number) / 1000;
    row.grid_export_kwh += (acc.gridExportWh[t] as number) / 1000;
  }
  return [...rows.values()].map((r) => ({
    ...r,
    self_sufficiency: r.consumption_kwh > 0 ? 1 - r.grid_import_kwh / r.consumption_kwh : null,
  }));
}

/** First interval of the 7-day window with the most local trade (the first week if none). */
export function sampleWeekStart(run: SimulationRun, acc: VariantAccount | undefined): number {
  const perWeek = Math.round((7 * 1440) / run.input.stepMinutes);
  const n = run.input.count;
  if (acc === undefined || n <= perWeek) return 0;
  let window = sum(acc.localTradedWh.subarray(0, perWeek));
  let best = window;
  let bestStart = 0;
  const perDay = Math.round(1440 / run.input.stepMinutes);
  for (let s = 1; s + perWeek <= n; s++) {
    window += (acc.localTradedWh[s + perWeek - 1] as number) - (acc.localTradedWh[s - 1] as number);
    if (window > best && s % perDay === 0) {
      best = window;
      bestStart = s;
    }
  }
  return bestStart;
}
