/**
 * PV systems in a wide CSV: a time column (ISO 8601 with offset, a regular series of 5 to 60
 * minutes), then one column of kWh per interval per system; and a JSON file of each system's
 * kWp. Read into hourly energy per system for the peer comparison.
 */
import { InputError } from "../core/errors.js";
import { parseJsonText } from "../core/jsonText.js";
import { formatInstant, parseInstant } from "../core/time.js";
import type { PvSystemInput } from "../maintenance/pvHealth.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import { readInputFile } from "./inputFile.js";
import { resample } from "./series.js";

export async function readPvSystems(files: {
  readonly dataPath: string;
  /** JSON `{ "<system id>": kWp, ... }`. */
  readonly kwpPath: string;
  /** The time column (default: the first). */
  readonly timeColumn?: string | undefined;
}): Promise<{ systems: PvSystemInput[]; startMs: number }> {
  const flags = { data: files.dataPath, kwp: files.kwpPath };
  const kwpDoc = parseJsonText(await readInputFile(flags.kwp), flags.kwp);
  const table = parseCsv(await readInputFile(flags.data), flags.data, { comment: "#" });
  const timeName = files.timeColumn ?? table.header[0] ?? "";
  const stamps = table.columns[columnIndex(table, timeName)] as string[];
  const times = stamps.map((t, r) => {
    const ms = parseInstant(t.trim());
    if (ms === undefined)
      throw new InputError(
        "E_DATA_INVALID",
        `${flags.data}, line ${table.lines[r]}, column ${JSON.stringify(timeName)}: expected an ISO 8601 time with an offset, received ${JSON.stringify(t)}`,
      );
    return ms;
  });
  const step = (times[1] ?? Number.NaN) - (times[0] ?? Number.NaN);
  if (!(step > 0) || 3_600_000 % step !== 0)
    throw new InputError(
      "E_DATA_INVALID",
      `${flags.data}: expected rows every 5, 10, 15, 30 or 60 minutes`,
    );
  times.forEach((t, r) => {
    if (t !== (times[0] as number) + r * step)
      throw new InputError(
        "E_DATA_INVALID",
        `${flags.data}, line ${table.lines[r]}: expected ${formatInstant((times[0] as number) + r * step)} (a regular series; clean it with gridshare data check first)`,
      );
  });
  const systems = table.header
    .filter((h) => h !== timeName)
    .map((id) => {
      const kwp = (kwpDoc as Record<string, unknown>)[id];
      if (typeof kwp !== "number" || !(kwp > 0))
        throw new InputError(
          "E_DATA_INVALID",
          `${flags.kwp}: expected a kWp above 0 for ${JSON.stringify(id)}`,
        );
      const series = {
        startMs: times[0] as number,
        stepMinutes: step / 60_000,
        values: numberColumn(table, id),
        source: `${flags.data} ${id}`,
      };
      return { id, kwp, energyKwh: resample(series, 60).values };
    });
  if (systems.length < 3)
    throw new InputError(
      "E_DATA_INVALID",
      `${flags.data}: peer comparison needs at least 3 systems, found ${systems.length}`,
    );
  return { systems, startMs: times[0] as number };
}
