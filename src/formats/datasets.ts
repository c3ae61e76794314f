/**
 * The data sets gridshare ships in `data/` (see data/README.md), read once and cached:
 * CityLearn 2022 (the demo community), the Ausgrid solar home, and the IEEE European LV load
 * shapes. Each loader turns the set's own units and clock into energy series (kWh per interval,
 * UTC) so that the rest of gridshare never sees a data set's quirks.
 */
import { readFile } from "node:fs/promises";
import { InputError } from "../core/errors.js";
import { MS_PER_MINUTE } from "../core/time.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import type { EnergySeries } from "./series.js";
import { regularStepMs, requireTimes, StampReader, unreadableLocalStamp } from "./timeColumn.js";

/** The repository's data folder (from src/formats or dist/formats alike). */
export const DATA_DIR = new URL("../../data/", import.meta.url);

export const DATASET_NAMES = ["citylearn", "ausgrid", "ieee-eulv"] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

async function readData(relative: string): Promise<string> {
  const url = new URL(relative, DATA_DIR);
  try {
    return await readFile(url, "utf8");
  } catch {
    throw new InputError(
      "E_FILE",
      `shipped data file data/${relative} is missing (reinstall gridshare)`,
    );
  }
}

/** One CityLearn home. */
export interface CityLearnHome {
  readonly id: string;
  /** Household electricity, kWh per hour. */
  readonly load: EnergySeries;
  /** PV output per kWp, kWh per kWp per hour. */
  readonly pvPerKwp: EnergySeries;
  readonly pvKwp: number;
  readonly battery: {
    readonly capacityKwh: number;
    readonly powerKw: number;
    readonly roundTripEfficiency: number;
  };
}

export interface CityLearn {
  readonly homes: ReadonlyMap<string, CityLearnHome>;
  /** Retail import price, USD/kWh (a rate series). */
  readonly price: EnergySeries;
  /** Grid carbon intensity, kg CO2/kWh (a rate series). */
  readonly carbon: EnergySeries;
  /** Outdoor air temperature, °C (a rate series). */
  readonly outdoorC: EnergySeries;
  readonly timeZone: string;
}

/** Row 0 of the CityLearn files starts at 23:00 on 31 July 2016 local standard time (UTC-8). */
export const CITYLEARN_START_MS = Date.UTC(2016, 7, 1, 7);
/** CityLearn's clock: local standard time all year, UTC-8 (IANA "Etc/GMT+8"). */
export const CITYLEARN_TIME_ZONE = "Etc/GMT+8";

let cityLearn: Promise<CityLearn> | undefined;

export function loadCityLearn(): Promise<CityLearn> {
  cityLearn ??= (async () => {
    const schema = JSON.parse(await readData("citylearn-2022/schema.json")) as {
      buildings: Record<
        string,
        {
          pv: { attributes: { nominal_power: number } };
          electrical_storage: {
            attributes: { capacity: number; nominal_power: number; efficiency: number };
          };
        }
      >;
    };
    const homes = new Map<string, CityLearnHome>();
    const series = (values: Float64Array, source: string): EnergySeries => ({
      startMs: CITYLEARN_START_MS,
      stepMinutes: 60,
      values,
      source,
    });
    for (const [id, b] of Object.entries(schema.buildings)) {
      const file = `data/citylearn-2022/${id}.csv`;
      const table = parseCsv(await readData(`citylearn-2022/${id}.csv`), file);
      const load = numberColumn(table, "non_shiftable_load");
      const solarWhPerKwp = numberColumn(table, "solar_generation");
      homes.set(id, {
        id,
        load: series(load, `${file} non_shiftable_load`),
        pvPerKwp: series(
          solarWhPerKwp.map((wh) => wh / 1000),
          `${file} solar_generation`,
        ),
        pvKwp: b.pv.attributes.nominal_power,
        battery: {
          capacityKwh: b.electrical_storage.attributes.capacity,
          powerKw: b.electrical_storage.attributes.nominal_power,
          roundTripEfficiency: b.electrical_storage.attributes.efficiency,
        },
      });
    }
    const pricing = parseCsv(
      await readData("citylearn-2022/pricing.csv"),
      "data/citylearn-2022/pricing.csv",
    );
    const weather = parseCsv(
      await readData("citylearn-2022/weather.csv"),
      "data/citylearn-2022/weather.csv",
    );
    const carbon = parseCsv(
      await readData("citylearn-2022/carbon_intensity.csv"),
      "data/citylearn-2022/carbon_intensity.csv",
    );
    return {
      homes,
      price: series(
        numberColumn(pricing, "electricity_pricing"),
        "data/citylearn-2022/pricing.csv",
      ),
      carbon: series(
        numberColumn(carbon, "carbon_intensity"),
        "data/citylearn-2022/carbon_intensity.csv",
      ),
      outdoorC: series(
        numberColumn(weather, "outdoor_dry_bulb_temperature"),
        "data/citylearn-2022/weather.csv",
      ),
      timeZone: CITYLEARN_TIME_ZONE,
    };
  })();
  return cityLearn;
}

/** Each CityLearn home's PV system: its kWp on record and its output, kWh per hour. */
export async function cityLearnPvSystems(): Promise<
  { id: string; kwp: number; energyKwh: Float64Array }[]
> {
  return [...(await loadCityLearn()).homes.values()].map((h) => ({
    id: h.id,
    kwp: h.pvKwp,
    energyKwh: h.pvPerKwp.values.map((v) => v * h.pvKwp),
  }));
}

/** The Ausgrid home: consumption and PV, kWh per half hour, on Australian Eastern Standard Time. */
export interface AusgridHome {
  readonly load: EnergySeries;
  readonly pv: EnergySeries;
  /** The PV system's size, kWp. */
  readonly pvKwp: number;
}

/** Ausgrid labels are local clock times but every day has 48 rows: read as AEST (UTC+10) all year. */
export const AUSGRID_TIME_ZONE = "Etc/GMT-10";

let ausgrid: Promise<AusgridHome> | undefined;

export function loadAusgrid(): Promise<AusgridHome> {
  ausgrid ??= (async () => {
    const file = "data/ausgrid-solar-home/customer12_2011-2012.csv";
    const table = parseCsv(await readData("ausgrid-solar-home/customer12_2011-2012.csv"), file);
    const stamps = table.columns[columnIndex(table, "")] as string[];
    const reader = new StampReader(AUSGRID_TIME_ZONE, "unreadable");
    const times = requireTimes(
      table,
      stamps,
      (t) => reader.read(t),
      unreadableLocalStamp(AUSGRID_TIME_ZONE),
    );
    const startMs = times[0] as number;
    const stepMinutes = regularStepMs(times, table) / MS_PER_MINUTE;
    const perInterval = (kw: Float64Array) => kw.map((p) => p * (stepMinutes / 60));
    return {
      load: {
        startMs,
        stepMinutes,
        values: perInterval(numberColumn(table, "GC")),
        source: `${file} GC`,
      },
      pv: {
        startMs,
        stepMinutes,
        values: perInterval(numberColumn(table, "GG")),
        source: `${file} GG`,
      },
      pvKwp: 1.04,
    };
  })();
  return ausgrid;
}

const eulv = new Map<number, Promise<EnergySeries>>();

/**
 * IEEE European LV load shape `n` (1-100): one day of one-minute kW values, as kWh per minute,
 * starting at midnight (startMs 0: callers repeat and place it).
 */
export function loadEulvProfile(n: number): Promise<EnergySeries> {
  let p = eulv.get(n);
  if (p === undefined) {
    p = (async () => {
      if (!Number.isInteger(n) || n < 1 || n > 100) {
        throw new InputError(
          "E_SCENARIO_INVALID",
          `IEEE EU LV load profile: expected a number from 1 to 100, received ${n}`,
        );
      }
      const file = `data/ieee-eulv/load_profiles/Load_profile_${n}.csv`;
      const table = parseCsv(await readData(`ieee-eulv/load_profiles/Load_profile_${n}.csv`), file);
      const kw = numberColumn(table, "mult");
      return { startMs: 0, stepMinutes: 1, values: kw.map((p) => p / 60), source: file };
    })();
    eulv.set(n, p);
  }
  return p;
}

/**
 * PV output per kWp, kW, for each minute of one CityLearn day (`day` 0 is 1 August 2016, local
 * standard time): the hourly means placed at the middle of their hours and joined linearly, so
 * the day's energy is kept (to the interpolation's rounding at sunrise and sunset).
 */
export async function cityLearnPvMinutes(day: number, home = "Building_1"): Promise<Float64Array> {
  const cl = await loadCityLearn();
  const h = cl.homes.get(home);
  if (!h) throw new InputError("E_INPUT", `no CityLearn home ${home}`);
  const hourly = h.pvPerKwp.values;
  const first = 1 + 24 * day; // row 0 is 23:00 on 31 July
  if (day < 0 || first + 24 > hourly.length)
    throw new InputError(
      "E_INPUT",
      `CityLearn has no day ${day} (0 to ${Math.floor((hourly.length - 1) / 24) - 1})`,
    );
  const at = (hour: number) => hourly[first + Math.min(23, Math.max(0, hour))] as number;
  const out = new Float64Array(1440);
  for (let m = 0; m < 1440; m++) {
    const x = (m + 0.5) / 60 - 0.5;
    const i = Math.floor(x);
    const w = x - i;
    out[m] = Math.max(0, (1 - w) * at(i) + w * at(i + 1));
  }
  return out;
}
