/**
 * Reading a feeder directory in the IEEE European LV Test Feeder's CSV layout, which is also
 * gridshare's format for other feeders (docs/grid.md): Source.csv (INI-style), Transformer.csv,
 * LineCodes.csv, Lines.csv, Loads.csv, and optionally Buscoords.csv and LoadShapes.csv with the
 * load profiles it names. Lines starting with `#` are comments; bus names match regardless of
 * case; phases are A/B/C or 1/2/3. Every problem names the file, the line and the field.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import {
  buildFeeder,
  busKey,
  type Feeder,
  type FeederLine,
  type FeederLoad,
  type FeederSpec,
  type LineCode,
} from "../grid/feeder.js";
import { type CsvTable, columnIndex, parseCsv, parseDecimal } from "./csv.js";
import { readInputFile } from "./inputFile.js";

async function table(dir: string, name: string): Promise<CsvTable> {
  const path = join(dir, name);
  return parseCsv(await readInputFile(path), path, { comment: "#" });
}

/** Accessor for one row's cells by column name, with messages naming file, line and field. */
function rows(t: CsvTable) {
  const out: Row[] = [];
  for (let r = 0; r < t.rowCount; r++) out.push(new Row(t, r));
  return out;
}

class Row {
  constructor(
    private readonly t: CsvTable,
    private readonly r: number,
  ) {}

  get where(): string {
    return `${this.t.file}, line ${this.t.lines[this.r]}`;
  }

  text(field: string): string {
    const v = (this.t.columns[columnIndex(this.t, field)] as string[])[this.r]?.trim() ?? "";
    if (v === "") throw this.error(field, "a value, the cell is empty");
    return v;
  }

  /** A plain number (the format's units are in its column names, never in a cell). */
  number(field: string, check: (x: number) => boolean, expected: string): number {
    const raw = this.text(field);
    const v = parseDecimal(raw);
    if (v === undefined || !check(v))
      throw this.error(field, `${expected}, received ${JSON.stringify(raw)}`);
    return v;
  }

  error(field: string, expected: string): InputError {
    return new InputError("E_DATA_INVALID", `${this.where}, field ${field}: expected ${expected}`);
  }
}

/** Phase A/B/C or 1/2/3 to 0/1/2; undefined otherwise. */
export function parsePhase(text: string): number | undefined {
  const t = text.trim().toUpperCase();
  const i = ["A", "B", "C"].indexOf(t);
  if (i >= 0) return i;
  const j = ["1", "2", "3"].indexOf(t);
  return j >= 0 ? j : undefined;
}

/** `key=value` lines of an INI-style file (sections and comments ignored), keys lower-cased. */
function parseIni(text: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("[")) return;
    const eq = line.indexOf("=");
    if (eq < 0) return;
    out.set(line.slice(0, eq).trim().toLowerCase(), {
      value: line.slice(eq + 1).trim(),
      line: i + 1,
    });
  });
  return out;
}

const LENGTH_KM: Record<string, number> = { m: 0.001, km: 1, ft: 0.0003048, mi: 1.609344 };
/** Above this an impedance is taken for a unit mistake, ohm per km. */
const MAX_OHM_PER_KM = 100;

export interface FeederFiles {
  readonly feeder: Feeder;
  /** Load shapes by name: a multiplier per minute (or step) of the day. */
  readonly shapes: ReadonlyMap<string, Float64Array>;
}

/** The network CSVs are in `dir` or in its `network/` folder; load profiles beside them. */
async function networkDir(dir: string): Promise<string> {
  try {
    await readFile(join(dir, "network", "Lines.csv"));
    return join(dir, "network");
  } catch {
    return dir;
  }
}

export async function loadFeederDir(root: string): Promise<FeederFiles> {
  const dir = await networkDir(root);
  const spec: FeederSpec = {
    name: root,
    source: await readSource(dir),
    transformer: await readTransformer(dir),
    lineCodes: await readLineCodes(dir),
    lines: await readLines(dir),
    loads: await readLoads(dir),
    coords: await readCoords(dir),
  };
  // A FeederError is an InputError naming the file and row.
  const feeder: Feeder = buildFeeder(spec);
  return { feeder, shapes: await readLoadShapes(dir) };
}

/** Source.csv: the MV source's voltage, set point and short-circuit currents. */
async function readSource(dir: string): Promise<FeederSpec["source"]> {
  const sourcePath = join(dir, "Source.csv");
  const ini = parseIni(await readInputFile(sourcePath));
  // Source.csv's values may carry the unit its format documents (`11 kV`, `3000 A`), no other.
  const iniNumber = (key: string, expected: string, unit?: string) => {
    const e = ini.get(key);
    const text = e?.value.trim() ?? "";
    const bare =
      unit !== undefined && text.toLowerCase().endsWith(unit.toLowerCase())
        ? text.slice(0, -unit.length)
        : text;
    const v = e ? (parseDecimal(bare) ?? Number.NaN) : Number.NaN;
    if (!e || !Number.isFinite(v) || v <= 0)
      throw new InputError(
        "E_DATA_INVALID",
        `${sourcePath}${e ? `, line ${e.line}` : ""}, field ${key}: expected ${expected}${e ? `, received ${JSON.stringify(e.value)}` : " (missing)"}`,
      );
    return v;
  };
  return {
    kv: iniNumber("voltage", "the MV voltage, e.g. 11 kV", "kV"),
    pu: iniNumber("pu", "the set point in pu, e.g. 1.05"),
    isc3: iniNumber("isc3", "the three-phase short-circuit current, e.g. 3000 A", "A"),
    isc1: iniNumber("isc1", "the single-phase short-circuit current, e.g. 5 A", "A"),
  };
}

/** Transformer.csv: the MV/LV transformer (Delta / Wye only). */
async function readTransformer(dir: string): Promise<FeederSpec["transformer"]> {
  const tr = rows(await table(dir, "Transformer.csv"));
  const t0 = tr[0];
  if (!t0)
    throw new InputError("E_DATA_INVALID", `${join(dir, "Transformer.csv")}: no transformer row`);
  const positive = (x: number) => x > 0;
  const transformer = {
    name: t0.text("Name"),
    primaryBus: t0.text("bus1"),
    secondaryBus: t0.text("bus2"),
    kvPrimary: t0.number("kV_pri", positive, "a voltage in kV above 0"),
    kvSecondary: t0.number("kV_sec", positive, "a voltage in kV above 0"),
    kva: t0.number("MVA", positive, "a rating in MVA above 0") * 1000,
    xPercent: t0.number("%XHL", (x) => x > 0 && x < 50, "a reactance in % from 0 to 50"),
    rPercent: t0.number("% resistance", (x) => x >= 0 && x < 50, "a resistance in % from 0 to 50"),
  };
  const conn = `${t0.text("Conn_pri")}/${t0.text("Conn_sec")}`.toLowerCase().replace(/\s/g, "");
  if (conn !== "delta/wye")
    throw t0.error(
      "Conn_pri, Conn_sec",
      `Delta, Wye (the only connection modelled), received ${conn}`,
    );
  return transformer;
}

/** LineCodes.csv: sequence impedances per length, in ohm per km, and ratings. */
async function readLineCodes(dir: string): Promise<LineCode[]> {
  const lineCodeTable = await table(dir, "LineCodes.csv");
  return rows(lineCodeTable).map((r): LineCode => {
    const unit = r.text("Units").toLowerCase();
    const perKm = LENGTH_KM[unit];
    if (perKm === undefined)
      throw r.error("Units", `m, km, ft or mi, received ${JSON.stringify(unit)}`);
    const ohm = (field: string, min: number) =>
      r.number(
        field,
        (x) => x >= min && x / perKm <= MAX_OHM_PER_KM,
        `ohm per ${unit} from ${min} to ${MAX_OHM_PER_KM} per km`,
      ) / perKm;
    const t = lineCodeTable;
    const hasAmps = t.header.some((h) => h.toLowerCase() === "normamps");
    return {
      name: r.text("Name"),
      r1: ohm("R1", 0),
      x1: ohm("X1", -MAX_OHM_PER_KM),
      r0: ohm("R0", 0),
      x0: ohm("X0", -MAX_OHM_PER_KM),
      ampacity: hasAmps
        ? r.number("NormAmps", (x) => x > 0, "a current rating in A above 0")
        : undefined,
    };
  });
}

/** Lines.csv: three-phase lines with their length and line code. */
async function readLines(dir: string): Promise<FeederLine[]> {
  const lineRows = rows(await table(dir, "Lines.csv"));
  return lineRows.map((r): FeederLine => {
    const phases = r.text("Phases").toUpperCase();
    if (phases !== "ABC" && phases !== "123")
      throw r.error("Phases", `ABC (three-phase lines), received ${JSON.stringify(phases)}`);
    const unit = r.text("Units").toLowerCase();
    const perKm = LENGTH_KM[unit];
    if (perKm === undefined)
      throw r.error("Units", `m, km, ft or mi, received ${JSON.stringify(unit)}`);
    return {
      name: r.text("Name"),
      where: r.where,
      from: r.text("Bus1"),
      to: r.text("Bus2"),
      lengthKm:
        r.number("Length", (x) => x > 0 && x * perKm < 100, `a length above 0 (and under 100 km)`) *
        perKm,
      code: r.text("LineCode"),
    };
  });
}

/** Loads.csv: single-phase loads, their bus, phase, kW, power factor and load shape. */
async function readLoads(dir: string): Promise<FeederLoad[]> {
  return rows(await table(dir, "Loads.csv")).map((r): FeederLoad => {
    const phaseText = r.text("phases");
    const phase = parsePhase(phaseText);
    if (phase === undefined)
      throw r.error(
        "phases",
        `a phase A, B or C (or 1, 2, 3), received ${JSON.stringify(phaseText)}`,
      );
    return {
      name: r.text("Name"),
      where: r.where,
      bus: r.text("Bus"),
      phase,
      kw: r.number("kW", (x) => x >= 0, "a power in kW of 0 or more"),
      pf: r.number("PF", (x) => x > 0 && x <= 1, "a power factor above 0 and at most 1"),
      shape: r.text("Yearly"),
    };
  });
}

/** Buscoords.csv, when there is one: each bus's x and y, for maps. */
async function readCoords(dir: string): Promise<Map<string, [number, number]> | undefined> {
  let coords: Map<string, [number, number]> | undefined;
  try {
    const c = await table(dir, "Buscoords.csv");
    coords = new Map();
    for (const r of rows(c))
      coords.set(busKey(r.text("Busname")), [
        r.number("x", Number.isFinite, "a number"),
        r.number("y", Number.isFinite, "a number"),
      ]);
  } catch (error) {
    if (!(error instanceof InputError && error.code === "E_FILE")) throw error;
  }
  return coords;
}

/** LoadShapes.csv and the profiles it names: a multiplier per minute of the day per shape. */
async function readLoadShapes(dir: string): Promise<Map<string, Float64Array>> {
  const shapes = new Map<string, Float64Array>();
  try {
    const s = await table(dir, "LoadShapes.csv");
    for (const r of rows(s)) {
      const file = r.text("File");
      let path = join(dir, file);
      try {
        await readFile(path);
      } catch {
        path = join(dir, "..", "load_profiles", file);
      }
      const prof = parseCsv(await readInputFile(path), path, { comment: "#" });
      const mult = prof.columns[columnIndex(prof, "mult")] as string[];
      shapes.set(
        r.text("Name").toLowerCase(),
        Float64Array.from(mult, (x, i) => {
          const v = parseDecimal(x);
          if (v === undefined)
            throw new InputError(
              "E_DATA_INVALID",
              `${prof.file}, line ${prof.lines[i]}, field mult: expected a number, received ${JSON.stringify(x)}`,
            );
          return v;
        }),
      );
    }
  } catch (error) {
    if (
      !(
        error instanceof InputError &&
        error.code === "E_FILE" &&
        error.message.includes("LoadShapes.csv")
      )
    )
      throw error;
  }
  return shapes;
}

/** Loads for one snapshot: P and Q per bus and phase (index 3·bus + phase), kW and kvar. */
export interface LoadSnapshot {
  readonly pKw: Float64Array;
  readonly qKvar: Float64Array;
}

/** Reads a snapshot in the layout of reference/inputs_minute_566.csv: load, bus, phase, p_kw, q_kvar. */
/**
 * A snapshot file: one row per load of the feeder (`load,bus,phase,p_kw,q_kvar`), the load named
 * as in Loads.csv, at its own bus and phase, each load at most once.
 */
export async function loadSnapshotFile(feeder: Feeder, path: string): Promise<LoadSnapshot> {
  const t = parseCsv(await readInputFile(path), path, { comment: "#" });
  const n = feeder.buses.length;
  const pKw = new Float64Array(3 * n);
  const qKvar = new Float64Array(3 * n);
  const loads = new Map(feeder.spec.loads.map((l) => [l.name.toLowerCase(), l]));
  const seen = new Map<string, string>();
  for (const r of rows(t)) {
    const name = r.text("load");
    const load = loads.get(name.toLowerCase());
    if (load === undefined)
      throw r.error("load", `a load of the feeder (Loads.csv), received ${JSON.stringify(name)}`);
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined)
      throw r.error("load", `each load once, received ${JSON.stringify(name)} again (${earlier})`);
    seen.set(name.toLowerCase(), r.where);
    const busText = r.text("bus");
    const bus = feeder.index.get(busKey(busText));
    if (bus === undefined || busKey(busText) !== busKey(load.bus))
      throw r.error(
        "bus",
        `${JSON.stringify(load.bus)}, the bus of ${load.name}, received ${JSON.stringify(busText)}`,
      );
    const phaseText = r.text("phase");
    const phase = parsePhase(phaseText);
    if (phase === undefined || phase !== load.phase)
      throw r.error(
        "phase",
        `${"ABC"[load.phase]}, the phase of ${load.name}, received ${JSON.stringify(phaseText)}`,
      );
    const k = 3 * bus + phase;
    pKw[k] = (pKw[k] as number) + r.number("p_kw", Number.isFinite, "a power in kW");
    qKvar[k] =
      (qKvar[k] as number) + r.number("q_kvar", Number.isFinite, "a reactive power in kvar");
  }
  return { pKw, qKvar };
}

/** Each load at minute `minute` (1-based) of its load shape, at its power factor (lagging). */
/** A load's kW from its load shape at a minute of the day (1-1440). */
export function loadKwAtMinute(
  files: FeederFiles,
  load: FeederFiles["feeder"]["spec"]["loads"][number],
  minute: number,
): number {
  const shape = load.shape ? files.shapes.get(load.shape.toLowerCase()) : undefined;
  if (load.shape && !shape)
    throw new InputError(
      "E_DATA_INVALID",
      `${load.where ?? "Loads.csv"}, field Yearly: load shape ${load.shape} is not in LoadShapes.csv`,
    );
  return load.kw * (shape ? (shape[(minute - 1) % shape.length] as number) : 1);
}

export function snapshotAtMinute(files: FeederFiles, minute: number): LoadSnapshot {
  const f = files.feeder;
  const n = f.buses.length;
  const pKw = new Float64Array(3 * n);
  const qKvar = new Float64Array(3 * n);
  for (const load of f.spec.loads) {
    const p = loadKwAtMinute(files, load, minute);
    const k = 3 * (f.index.get(busKey(load.bus)) as number) + load.phase;
    pKw[k] = (pKw[k] as number) + p;
    qKvar[k] = (qKvar[k] as number) + p * Math.tan(Math.acos(load.pf));
  }
  return { pKw, qKvar };
}

/** Each load of the feeder at minute `m` of its shape, less its PV. */
export function daySnapshots(files: FeederFiles, pvPerKwp: Float64Array, pvKwp: number) {
  const f = files.feeder;
  return (m: number) => {
    const snap = snapshotAtMinute(files, m + 1);
    if (pvKwp > 0)
      for (const load of f.spec.loads) {
        const k = 3 * (f.index.get(busKey(load.bus)) as number) + load.phase;
        snap.pKw[k] = (snap.pKw[k] as number) - pvKwp * (pvPerKwp[m] as number);
      }
    return snap;
  };
}
