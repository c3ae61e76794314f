/**
 * A radial, three-phase, unbalanced low-voltage feeder behind its MV/LV transformer, ready for
 * the power flow: buses in breadth-first order from the transformer's secondary, each with the
 * 3×3 phase impedance of the line from its parent, and the MV source referred to the secondary.
 *
 * Lines: the phase impedance matrix of a transposed line from its sequence impedances per km,
 * Zs = (2·Z1 + Z0)/3 on the diagonal and Zm = (Z0 − Z1)/3 off it (Kron-reduced, neutral return
 * folded into Z0). Source: a Thévenin equivalent whose positive-sequence impedance follows from
 * the three-phase short-circuit current, |Z1| = kV² / (√3 · kV · ISC3), with X1/R1 = 4 (OpenDSS's
 * Vsource default). Transformer: delta primary / grounded-wye secondary, secondary lagging the
 * primary by 30°, series impedance (%R, %X on its own rating) referred to the secondary. The
 * delta winding blocks zero-sequence current from the MV side, so the source impedance acts on
 * positive- and negative-sequence current only.
 */
import { InputError } from "../core/errors.js";

/** Per-phase values are stored phase-major inside a bus: index 3·bus + phase (A, B, C). */
export interface FeederLine {
  readonly name: string;
  /** Where it was read, for messages (e.g. "Lines.csv, line 12"). */
  readonly where?: string | undefined;
  readonly from: string;
  readonly to: string;
  readonly lengthKm: number;
  readonly code: string;
}

export interface LineCode {
  readonly name: string;
  /** Sequence impedances, ohm per km. */
  readonly r1: number;
  readonly x1: number;
  readonly r0: number;
  readonly x0: number;
  /** Current rating, A (undefined: the default rating). */
  readonly ampacity?: number | undefined;
}

/** Rating of a line whose code gives none, A (OpenDSS's default normal rating). */
export const DEFAULT_AMPACITY = 400;

export interface FeederLoad {
  readonly name: string;
  readonly where?: string | undefined;
  readonly bus: string;
  /** 0, 1, 2 for A, B, C. */
  readonly phase: number;
  readonly kw: number;
  readonly pf: number;
  /** Load shape name, if any. */
  readonly shape?: string | undefined;
}

export interface SourceSpec {
  /** Nominal line-to-line voltage of the MV source, kV, and its set point in pu. */
  readonly kv: number;
  readonly pu: number;
  /** Three-phase and single-phase short-circuit currents, A. */
  readonly isc3: number;
  readonly isc1: number;
}

export interface TransformerSpec {
  readonly name: string;
  readonly kva: number;
  readonly kvPrimary: number;
  readonly kvSecondary: number;
  /** Series resistance and reactance, percent on the transformer's own rating. */
  readonly rPercent: number;
  readonly xPercent: number;
  readonly primaryBus: string;
  readonly secondaryBus: string;
}

export interface FeederSpec {
  readonly name: string;
  readonly source: SourceSpec;
  readonly transformer: TransformerSpec;
  readonly lineCodes: readonly LineCode[];
  readonly lines: readonly FeederLine[];
  readonly loads: readonly FeederLoad[];
  /** Bus coordinates (x, y), by bus name. */
  readonly coords?: ReadonlyMap<string, readonly [number, number]> | undefined;
}

export interface Feeder {
  readonly spec: FeederSpec;
  /** Bus names in breadth-first order from the secondary (index 0). */
  readonly buses: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Parent bus of each bus (-1 for the root). */
  readonly parent: Int32Array;
  /** The line feeding each bus (null for the root). */
  readonly lineOf: readonly (FeederLine | null)[];
  /** 3×3 phase impedance (ohm) of the line feeding each bus, row-major, 9 per bus. */
  readonly zRe: Float64Array;
  readonly zIm: Float64Array;
  /** Current rating of the line feeding each bus, A. */
  readonly ampacity: Float64Array;
  /** Open-circuit secondary voltage per phase (V), behind the source and transformer. */
  readonly eRe: Float64Array;
  readonly eIm: Float64Array;
  /** Source impedance referred to the secondary (acts on I − I0), and the transformer's, ohm. */
  readonly zSource: readonly [number, number];
  readonly zTransformer: readonly [number, number];
  /** The source's positive-sequence impedance on the primary, ohm, and its set-point voltage (line to neutral), V. */
  readonly zPrimarySource: readonly [number, number];
  readonly primarySetVolts: number;
  /** Secondary line-to-neutral base voltage (kV_sec / √3), V. */
  readonly baseVolts: number;
  /** Primary line-to-neutral base voltage, V. */
  readonly primaryBaseVolts: number;
}

/** Default X/R ratio of the source's positive sequence (OpenDSS Vsource). */
const SOURCE_X1_R1 = 4;

/** Why a feeder cannot be built (bad feeder data, exit 2); `where` names the file and row when known. */
export class FeederError extends InputError {
  constructor(
    message: string,
    readonly where?: string | undefined,
  ) {
    super("E_DATA_INVALID", where ? `${where}: ${message}` : message, {
      ...(where === undefined ? {} : { details: { where } }),
    });
  }
}

/** Normalises a bus name for matching across files (the data differs in case). */
export function busKey(name: string): string {
  return name.trim().toLowerCase();
}

export function buildFeeder(spec: FeederSpec): Feeder {
  const codes = new Map(spec.lineCodes.map((c) => [c.name.toLowerCase(), c]));
  const root = busKey(spec.transformer.secondaryBus);
  const children = new Map<string, FeederLine[]>();
  for (const line of spec.lines) {
    for (const k of [busKey(line.from), busKey(line.to)]) {
      const list = children.get(k) ?? [];
      list.push(line);
      children.set(k, list);
    }
  }
  checkRadial(spec.lines);
  const buses: string[] = [root];
  const index = new Map<string, number>([[root, 0]]);
  const parent: number[] = [-1];
  const lineOf: (FeederLine | null)[] = [null];
  for (let q = 0; q < buses.length; q++) {
    const here = buses[q] as string;
    for (const line of children.get(here) ?? []) {
      const other = busKey(line.from) === here ? busKey(line.to) : busKey(line.from);
      if (lineOf[q] === line) continue; // the line we came in on
      if (index.has(other))
        throw new FeederError(`line ${line.name} closes a loop (at bus ${other})`, line.where);
      index.set(other, buses.length);
      buses.push(other);
      parent.push(q);
      lineOf.push(line);
    }
  }
  const unreached = spec.lines.find((l) => !index.has(busKey(l.from)) || !index.has(busKey(l.to)));
  if (unreached)
    throw new FeederError(
      `line ${unreached.name} (${unreached.from} - ${unreached.to}) is not connected to the transformer's bus ${spec.transformer.secondaryBus}`,
      unreached.where,
    );
  const n = buses.length;
  const ampacity = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const zRe = new Float64Array(9 * n);
  const zIm = new Float64Array(9 * n);
  for (let b = 1; b < n; b++) {
    const line = lineOf[b] as FeederLine;
    const code = codes.get(line.code.toLowerCase());
    if (!code)
      throw new FeederError(`LineCode: unknown line code ${JSON.stringify(line.code)}`, line.where);
    ampacity[b] = code.ampacity ?? DEFAULT_AMPACITY;
    const L = line.lengthKm;
    const sRe = ((2 * code.r1 + code.r0) / 3) * L;
    const sIm = ((2 * code.x1 + code.x0) / 3) * L;
    const mRe = ((code.r0 - code.r1) / 3) * L;
    const mIm = ((code.x0 - code.x1) / 3) * L;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        zRe[9 * b + 3 * i + j] = i === j ? sRe : mRe;
        zIm[9 * b + 3 * i + j] = i === j ? sIm : mIm;
      }
  }
  for (const load of spec.loads)
    if (!index.has(busKey(load.bus)))
      throw new FeederError(`Bus: ${JSON.stringify(load.bus)} is not on the feeder`, load.where);

  const t = spec.transformer;
  const s = spec.source;
  const baseVolts = (t.kvSecondary * 1000) / Math.sqrt(3);
  const primaryBaseVolts = (t.kvPrimary * 1000) / Math.sqrt(3);
  // Source: |Z1| from ISC3 on the source's base voltage, referred to the secondary.
  const z1 = (s.kv * 1000) / (Math.sqrt(3) * s.isc3);
  const r1 = z1 / Math.sqrt(1 + SOURCE_X1_R1 ** 2);
  const ratio2 = (t.kvSecondary / t.kvPrimary) ** 2;
  const zSource: [number, number] = [r1 * ratio2, r1 * SOURCE_X1_R1 * ratio2];
  const zBase = (t.kvSecondary * t.kvSecondary * 1000) / t.kva;
  const zTransformer: [number, number] = [(t.rPercent / 100) * zBase, (t.xPercent / 100) * zBase];
  // Open-circuit secondary: balanced, scaled by the source's set point, lagging 30° (Dyn).
  const eMag = (s.pu * s.kv * baseVolts) / t.kvPrimary;
  const eRe = new Float64Array(3);
  const eIm = new Float64Array(3);
  for (let p = 0; p < 3; p++) {
    const ang = ((-30 - 120 * p) * Math.PI) / 180;
    eRe[p] = eMag * Math.cos(ang);
    eIm[p] = eMag * Math.sin(ang);
  }
  return {
    spec,
    buses,
    index,
    parent: Int32Array.from(parent),
    lineOf,
    ampacity,
    zRe,
    zIm,
    eRe,
    eIm,
    zSource,
    zTransformer,
    zPrimarySource: [r1, r1 * SOURCE_X1_R1],
    primarySetVolts: (s.pu * s.kv * 1000) / Math.sqrt(3),
    baseVolts,
    primaryBaseVolts,
  };
}

/** In file order, the first line joining two buses already connected closes a loop. */
function checkRadial(lines: readonly FeederLine[]): void {
  const up = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (up.has(r)) r = up.get(r) as string;
    let y = x;
    while (y !== r) {
      const next = up.get(y) as string;
      up.set(y, r);
      y = next;
    }
    return r;
  };
  for (const line of lines) {
    const a = find(busKey(line.from));
    const b = find(busKey(line.to));
    if (a === b)
      throw new FeederError(
        `line ${line.name} (${line.from} - ${line.to}) closes a loop: its buses are already connected by the lines above it, and the feeder must be radial`,
        line.where,
      );
    up.set(a, b);
  }
}
