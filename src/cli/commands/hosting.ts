/** `gridshare hosting`: how much PV each bus of a feeder can take. */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { loadFeederDir, parsePhase, snapshotAtMinute } from "../../data/feederFiles.js";
import { buildFeeder, busKey } from "../../grid/feeder.js";
import { hostingCapacity } from "../../grid/hosting.js";
import { feederMap } from "../../report/feederMap.js";
import type { CommandContext } from "../context.js";
import { writeFileAtomic } from "../io.js";
import { toCsv, toJson } from "../output.js";

export interface HostingFlags {
  feeder?: string;
  minute?: string;
  phase?: string;
  sourcePu?: string;
  maxKwp?: string;
  out?: string;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export async function runHosting(ctx: CommandContext, flags: HostingFlags) {
  if (flags.feeder === undefined) throw new InputError("E_USAGE", "--feeder <dir>: required");
  const files = await loadFeederDir(flags.feeder);
  let feeder = files.feeder;
  if (flags.sourcePu !== undefined) {
    const pu = Number(flags.sourcePu);
    if (!(pu > 0.8 && pu < 1.2))
      throw new InputError(
        "E_USAGE",
        `--source-pu: expected a set point from 0.8 to 1.2, received ${JSON.stringify(flags.sourcePu)}`,
      );
    feeder = buildFeeder({ ...feeder.spec, source: { ...feeder.spec.source, pu } });
  }
  const phase =
    flags.phase === undefined || flags.phase.toLowerCase() === "abc"
      ? "abc"
      : (parsePhase(flags.phase) as 0 | 1 | 2 | undefined);
  if (phase === undefined)
    throw new InputError(
      "E_USAGE",
      `--phase: expected abc, A, B or C, received ${JSON.stringify(flags.phase)}`,
    );
  const maxKwp = flags.maxKwp === undefined ? 200 : Number(flags.maxKwp);
  if (!(maxKwp > 0))
    throw new InputError(
      "E_USAGE",
      `--max-kwp: expected kWp above 0, received ${JSON.stringify(flags.maxKwp)}`,
    );
  const withFeeder = { feeder, shapes: files.shapes };
  let minute: number;
  if (flags.minute !== undefined) {
    minute = Number(flags.minute);
    if (!Number.isInteger(minute) || minute < 1 || minute > 1440)
      throw new InputError(
        "E_USAGE",
        `--minute: expected a whole minute from 1 to 1440, received ${JSON.stringify(flags.minute)}`,
      );
  } else {
    // The lightest minute of the day: PV at its peak against the least load is the hardest case.
    minute = 1;
    let least = Number.POSITIVE_INFINITY;
    for (let m = 1; m <= 1440; m++) {
      const total = snapshotAtMinute(withFeeder, m).pKw.reduce((a, x) => a + x, 0);
      if (total < least) {
        least = total;
        minute = m;
      }
    }
  }
  const base = snapshotAtMinute(withFeeder, minute);
  const t0 = performance.now();
  const r = hostingCapacity(feeder, base, { phase, maxKwp });
  const seconds = (performance.now() - t0) / 1000;
  const sorted = Array.from(r.kwp).sort((a, b) => a - b);
  const q = (p: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number, 2);
  const byLimit: Record<string, number> = {};
  for (const l of r.limit) byLimit[l] = (byLimit[l] ?? 0) + 1;
  const loadBuses = new Set(feeder.spec.loads.map((l) => busKey(l.bus)));
  const homes = feeder.buses
    .map((b, i) => (loadBuses.has(b) ? (r.kwp[i] as number) : Number.NaN))
    .filter((x) => !Number.isNaN(x));
  const doc = {
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
  if (flags.out !== undefined) {
    const tmp = join(flags.out, ".hosting-partial");
    await mkdir(tmp, { recursive: true });
    const coords = feeder.spec.coords;
    await writeFileAtomic(
      join(tmp, "hosting.csv"),
      toCsv(
        ["bus", "x", "y", "hosting_kwp", "limit"],
        feeder.buses.map((bus, b) => ({
          bus,
          x: coords?.get(bus)?.[0] ?? null,
          y: coords?.get(bus)?.[1] ?? null,
          hosting_kwp: round(r.kwp[b] as number, 3),
          limit: r.limit[b],
        })),
      ),
    );
    const files2 = ["hosting.csv"];
    if (coords) {
      await writeFileAtomic(
        join(tmp, "hosting.svg"),
        feederMap({
          feeder,
          values: r.kwp,
          title: `PV hosting capacity per bus, minute ${minute}, source ${feeder.spec.source.pu} pu`,
          unit: "kWp",
        }),
      );
      files2.push("hosting.svg");
    }
    for (const name of files2) await rename(join(tmp, name), join(flags.out, name));
    await rm(tmp, { recursive: true, force: true });
    ctx.io.stderr.write(`wrote ${flags.out}/: ${files2.join(", ")}\n`);
  }
  ctx.io.stdout.write(toJson(doc));
  return doc;
}

export function registerHosting(program: Command, ctx: CommandContext): void {
  program
    .command("hosting")
    .description(
      "the largest PV each bus of a feeder can take before a voltage, line or transformer limit",
    )
    .requiredOption("--feeder <dir>", "feeder directory (see docs/grid.md), e.g. data/ieee-eulv")
    .option("--minute <n>", "the base case's minute of the day (default: the lightest minute)")
    .option("--phase <abc|A|B|C>", "PV split over the three phases (default) or on one phase")
    .option("--source-pu <pu>", "override the MV source's set point (the feeder's own by default)")
    .option("--max-kwp <kWp>", "upper end of the search (default 200)")
    .option(
      "--out <dir>",
      "write hosting.csv (bus, x, y, hosting_kwp, limit) and hosting.svg (a map)",
    )
    .addHelpText(
      "after",
      `
Examples:
  gridshare hosting --feeder data/ieee-eulv --out hosting/
  gridshare hosting --feeder data/ieee-eulv --source-pu 1.0 --phase A --out hosting-a/`,
    )
    .action(async (flags: HostingFlags) => {
      await runHosting(ctx, flags);
    });
}
