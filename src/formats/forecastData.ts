/**
 * Forecasting problems from the data sets: the CityLearn 2022 homes (shipped: load, PV, price;
 * the community is the hourly sum of the 17 homes) and the GEFCom2014 solar track (read from a
 * directory given on the command line, never shipped: its terms are research use).
 *
 * GEFCom2014 solar (Hong et al. 2016): three zones, hourly power normalised to capacity, stamped
 * at the end of each hour in UTC, and the ECMWF forecasts of 12 variables issued at 00:00 UTC
 * for the next 24 hours. Radiation (SSRD, STRD, TSR) and precipitation (TP) are accumulated
 * since the forecast's start: each hour's value is the difference from the previous step of the
 * same run (the first step, stamped 01:00, is its own accumulation); radiation is turned from
 * J/m² per hour into mean W/m².
 */
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import type { ForecastData, TargetKind } from "../forecast/problem.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import { CITYLEARN_START_MS, loadCityLearn } from "./datasets.js";
import { readInputFile } from "./inputFile.js";

const HOUR_MS = 3_600_000;

const isoLabel = (startMs: number) => (i: number) =>
  new Date(startMs + i * HOUR_MS).toISOString().replace(".000Z", "Z");

/** A CityLearn target: `community` (all homes summed) or one home (`Building_3`). */
export async function cityLearnProblem(target: TargetKind, scope: string): Promise<ForecastData> {
  const cl = await loadCityLearn();
  if (target === "wind")
    throw new InputError(
      "E_USAGE",
      "--target wind: CityLearn has no wind turbines (targets: pv, load, price)",
    );
  let values: Float64Array;
  if (target === "price") {
    if (scope !== "community")
      throw new InputError(
        "E_USAGE",
        `--scope: the price is the same for every home; use --scope community`,
      );
    values = Float64Array.from(cl.price.values);
  } else {
    const homes =
      scope === "community"
        ? [...cl.homes.values()]
        : [cl.homes.get(scope)].filter((h) => h !== undefined);
    if (homes.length === 0)
      throw new InputError(
        "E_USAGE",
        `--scope: expected community or a CityLearn home (${[...cl.homes.keys()].join(", ")}), received ${JSON.stringify(scope)}`,
      );
    values = new Float64Array(cl.price.values.length);
    for (const h of homes) {
      const s = target === "load" ? h.load.values : h.pvPerKwp.values.map((v) => v * h.pvKwp);
      for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) + (s[i] as number);
    }
  }
  return {
    name: `CityLearn 2022 ${scope} ${target}`,
    kind: target,
    target: values,
    startMs: CITYLEARN_START_MS,
    clockOffsetH: -8,
    nwp: null,
    lower: target === "price" ? Number.NEGATIVE_INFINITY : 0,
    upper: Number.POSITIVE_INFINITY,
    label: isoLabel(CITYLEARN_START_MS),
  };
}

const ACCUMULATED = new Set(["VAR169", "VAR175", "VAR178", "VAR228"]);
const RADIATION = new Set(["VAR169", "VAR175", "VAR178"]);
export const GEFCOM_VARIABLES: Record<string, string> = {
  VAR78: "tclw",
  VAR79: "tciw",
  VAR134: "sp",
  VAR157: "rh",
  VAR164: "tcc",
  VAR165: "u10",
  VAR166: "v10",
  VAR167: "t2",
  VAR169: "ssrd",
  VAR175: "strd",
  VAR178: "tsr",
  VAR228: "tp",
};

function gefcomStamp(text: string, file: string, line: number): number {
  const m = /^(\d{4})(\d{2})(\d{2}) (\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m)
    throw new InputError(
      "E_DATA_INVALID",
      `${file}, line ${line}, column TIMESTAMP: expected YYYYMMDD HH:MM (UTC), received ${JSON.stringify(text)}`,
    );
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** One GEFCom2014 zone's power and weather forecasts, from the directory of its CSV files. */
export async function gefcomProblem(dir: string, zone: number): Promise<ForecastData> {
  const read = async (name: string) => {
    const file = join(dir, name);
    try {
      return parseCsv(await readInputFile(file), file);
    } catch (error) {
      if (!(error instanceof InputError) || error.code !== "E_FILE") throw error;
      throw new InputError(
        "E_FILE",
        `${error.message}: the GEFCom2014 solar directory must hold power.csv and predictors.csv`,
        { details: { path: file }, cause: error },
      );
    }
  };
  const power = await read("power.csv");
  const predictors = await read("predictors.csv");
  const rowsOf = (t: typeof power) => {
    const zones = numberColumn(t, "ZONEID");
    const stamps = t.columns[columnIndex(t, "TIMESTAMP")] as string[];
    const out: { row: number; ms: number }[] = [];
    for (let r = 0; r < t.rowCount; r++)
      if (zones[r] === zone)
        out.push({ row: r, ms: gefcomStamp(stamps[r] as string, t.file, t.lines[r] as number) });
    return out;
  };
  const pRows = rowsOf(power);
  const wRows = rowsOf(predictors);
  if (pRows.length === 0)
    throw new InputError(
      "E_USAGE",
      `--scope zone:${zone}: no such zone in ${power.file} (zones 1, 2, 3)`,
    );
  // Hour i covers the hour ending at its stamp; hour 0 ends at the first stamp.
  const firstStamp = pRows[0]?.ms as number;
  const startMs = firstStamp - HOUR_MS;
  const n = Math.round(((pRows[pRows.length - 1]?.ms as number) - firstStamp) / HOUR_MS) + 1;
  const target = new Float64Array(n).fill(Number.NaN);
  const pw = numberColumn(power, "POWER", { allowEmpty: true });
  for (const { row, ms } of pRows)
    target[Math.round((ms - firstStamp) / HOUR_MS)] = pw[row] as number;
  const codes = Object.keys(GEFCOM_VARIABLES);
  const raw = codes.map((c) => numberColumn(predictors, c, { allowEmpty: true }));
  const values = codes.map(() => new Float64Array(n).fill(Number.NaN));
  const runStart = new Int32Array(n).fill(2 ** 31 - 1);
  const byIndex = new Map<number, number>();
  for (const { row, ms } of wRows) byIndex.set(Math.round((ms - firstStamp) / HOUR_MS), row);
  for (const [i, row] of byIndex) {
    // The run issued at 00:00 UTC before the hour: steps 1 (01:00) to 24 (00:00 next day).
    const endMs = startMs + (i + 1) * HOUR_MS;
    const step = ((new Date(endMs).getUTCHours() + 23) % 24) + 1;
    runStart[i] = i - (step - 1);
    const prev = step > 1 ? byIndex.get(i - 1) : undefined;
    codes.forEach((c, f) => {
      let v = (raw[f] as Float64Array)[row] as number;
      if (ACCUMULATED.has(c)) {
        const before =
          step === 1
            ? 0
            : prev === undefined
              ? Number.NaN
              : ((raw[f] as Float64Array)[prev] as number);
        v -= before;
        if (RADIATION.has(c)) v /= 3600;
      }
      (values[f] as Float64Array)[i] = v;
    });
  }
  // The clear-sky index proxy: surface over top-of-atmosphere net solar radiation.
  const ssrd = values[codes.indexOf("VAR169")] as Float64Array;
  const tsr = values[codes.indexOf("VAR178")] as Float64Array;
  const clear = ssrd.map((s, i) => ((tsr[i] as number) > 10 ? s / (tsr[i] as number) : 0));
  return {
    name: `GEFCom2014 solar zone ${zone}`,
    kind: "pv",
    target,
    startMs,
    clockOffsetH: 0,
    nwp: {
      names: [...codes.map((c) => GEFCOM_VARIABLES[c] as string), "clear_index"],
      values: [...values, clear],
      runStart,
    },
    lower: 0,
    upper: 1,
    label: (i: number) => {
      const d = new Date(startMs + (i + 1) * HOUR_MS);
      const p = (x: number) => String(x).padStart(2, "0");
      return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
    },
  };
}
