/**
 * PV hosting capacity of a feeder: the largest PV each bus can take, alone, before a voltage,
 * line or transformer limit, on the base case of a minute (the lightest minute by default).
 */
import { quantileSorted } from "../core/stats.js";
import { loadFeederDir, snapshotAtMinute } from "../formats/feederFiles.js";
import { buildFeeder, busKey, type Feeder } from "../grid/feeder.js";
import { type HostingResult, hostingCapacity, lightestMinute } from "../grid/hosting.js";
import { round } from "../grid/records.js";

export interface HostingOptions {
  readonly feederDir: string;
  /** Override the MV source's set point, pu. */
  readonly sourcePu?: number;
  /** PV split over the three phases, or on one (0, 1, 2 for A, B, C). */
  readonly phase: "abc" | 0 | 1 | 2;
  /** Upper end of the search, kWp. */
  readonly maxKwp: number;
  /** The base case's minute of the day (default: the lightest). */
  readonly minute?: number;
}

export interface HostingStudy {
  readonly feeder: Feeder;
  readonly minute: number;
  readonly result: HostingResult;
  /** What `hosting` prints. */
  readonly record: Record<string, unknown>;
  /** One record per bus (hosting.csv). */
  readonly buses: {
    bus: string;
    x: number | null;
    y: number | null;
    hosting_kwp: number;
    limit: string;
  }[];
}

export async function hostingStudy(options: HostingOptions): Promise<HostingStudy> {
  const files = await loadFeederDir(options.feederDir);
  let feeder = files.feeder;
  if (options.sourcePu !== undefined)
    feeder = buildFeeder({
      ...feeder.spec,
      source: { ...feeder.spec.source, pu: options.sourcePu },
    });
  const withFeeder = { feeder, shapes: files.shapes };
  const minute = options.minute ?? lightestMinute((m) => snapshotAtMinute(withFeeder, m));
  const base = snapshotAtMinute(withFeeder, minute);
  const { phase, maxKwp } = options;
  const t0 = performance.now();
  const r = hostingCapacity(feeder, base, { phase, maxKwp });
  const seconds = (performance.now() - t0) / 1000;
  const sorted = Array.from(r.kwp).sort((a, b) => a - b);
  const q = (p: number) => round(quantileSorted(sorted, p), 2);
  const byLimit: Record<string, number> = {};
  for (const l of r.limit) byLimit[l] = (byLimit[l] ?? 0) + 1;
  const loadBuses = new Set(feeder.spec.loads.map((l) => busKey(l.bus)));
  const homes = feeder.buses
    .map((b, i) => (loadBuses.has(b) ? (r.kwp[i] as number) : Number.NaN))
    .filter((x) => !Number.isNaN(x));
  const record = {
    buses: feeder.buses.length,
    base_minute: minute,
    source_pu: feeder.spec.source.pu,
    phase: phase === "abc" ? "abc (split evenly)" : "ABC"[phase],
    limits: "EN 50160 207-253 V at every bus and phase, line ratings, transformer rating",
    kwp: { min: q(0), p10: q(0.1), median: q(0.5), max: q(1 - 1e-9) },
    homes_kwp_median:
      homes.length > 0
        ? round(homes.sort((a, b) => a - b)[Math.floor(homes.length / 2)] as number, 2)
        : null,
    binding_limits: byLimit,
    solves: r.solves,
    seconds: round(seconds, 2),
  };
  const coords = feeder.spec.coords;
  const buses = feeder.buses.map((bus, b) => ({
    bus,
    x: coords?.get(bus)?.[0] ?? null,
    y: coords?.get(bus)?.[1] ?? null,
    hosting_kwp: round(r.kwp[b] as number, 3),
    limit: r.limit[b] as string,
  }));
  return { feeder, minute, result: r, record, buses };
}
