/**
 * The series CSV a scenario names: a time column (the start of each interval) and a value column
 * in a declared unit, optionally a flag column from `data check`. The resolution is detected;
 * gaps, duplicates and out-of-order rows are reported, never filled.
 */

import { resolve } from "node:path";
import { InputError } from "../core/errors.js";
import { MS_PER_MINUTE } from "../core/time.js";
import { readFlags } from "./cleanedSeries.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import { readInputFileFor } from "./inputFile.js";
import type { EnergySeries } from "./series.js";
import { regularStepMs, requireTimes, StampReader, unreadableLocalStamp } from "./timeColumn.js";

/** The factor from a value in each unit to energy per interval (kWh) or the unit kept. */
const ENERGY_FACTOR: Record<string, (stepHours: number) => number> = {
  kW: (h) => h,
  W: (h) => h / 1000,
  kWh: () => 1,
  Wh: () => 1 / 1000,
  kW_per_kWp: (h) => h,
  W_per_kWp: (h) => h / 1000,
  kWh_per_kWp: () => 1,
  Wh_per_kWp: () => 1 / 1000,
  "m/s": () => 1,
};

/** Where a scenario points at a series CSV. */
export interface SeriesCsvRef {
  readonly csv: string;
  readonly column: string;
  readonly unit: string;
  readonly timestamp_column?: string | undefined;
  readonly time_zone?: string | undefined;
  readonly flag_column?: string | undefined;
}

/** Reads the series `ref` names, relative to `baseDir`; `field` names it in messages. */
export async function loadCsvSeries(
  ref: SeriesCsvRef,
  baseDir: string,
  field: string,
  defaultTimeZone: string,
): Promise<EnergySeries> {
  const text = await readInputFileFor(`${field}.csv`, ref.csv, resolve(baseDir, ref.csv));
  const table = parseCsv(text, ref.csv);
  const stampsCol =
    ref.timestamp_column ?? table.header.find((h) => /^(timestamp|time|datetime|date)$/i.test(h));
  if (stampsCol === undefined) {
    throw new InputError(
      "E_SCENARIO_INVALID",
      `${field}.timestamp_column: ${ref.csv} has no column named timestamp/time/datetime; name it with timestamp_column`,
    );
  }
  const stamps = table.columns[columnIndex(table, stampsCol)] as string[];
  const values = numberColumn(table, ref.column);
  const tz = ref.time_zone ?? defaultTimeZone;
  const reader = new StampReader(tz, "unreadable");
  const times = requireTimes(table, stamps, (t) => reader.read(t), unreadableLocalStamp(tz));
  const stepMinutes = regularStepMs(times, table) / MS_PER_MINUTE;
  const factor = (ENERGY_FACTOR[ref.unit] as (h: number) => number)(stepMinutes / 60);
  return {
    startMs: times[0] as number,
    stepMinutes,
    values: values.map((v) => v * factor),
    source: ref.csv,
    estimated: readFlags(table, ref.flag_column, field),
  };
}
