/**
 * Simulation speed, whole commands as a user runs them (the built CLI, one process each): the
 * demo (17 homes x one year, ledger on, report written), the cost of --sign-orders, and how
 * time and memory grow with the number of homes and of intervals (ledger off).
 *
 *   npm run bench -- simulation
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, header, machine, median } from "./stats.js";

const ROOT = new URL("..", import.meta.url).pathname;
const CLI = join(ROOT, "bin", "gridshare.js");
const SCENARIO = join(ROOT, "scenarios", "citylearn-2022.json");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

function run(args: string[]): { seconds: number; maxRssMb: number | null; stderr: string } {
  const out = mkdtempSync(join(tmpdir(), "gridshare-bench-sim-"));
  const full = [CLI, ...args.map((a) => (a === "OUT" ? out : a))];
  const t0 = performance.now();
  const r = TIME
    ? spawnSync(TIME, ["-f", "maxrss %M", process.execPath, ...full], { encoding: "utf8" })
    : spawnSync(process.execPath, full, { encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`gridshare ${args.join(" ")} failed: ${r.stderr}`);
  const rss = /maxrss (\d+)/.exec(r.stderr);
  return { seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : null, stderr: r.stderr };
}

function medianRun(args: string[], runs: number) {
  const all = Array.from({ length: runs }, () => run(args));
  return {
    seconds: median(all.map((r) => r.seconds)),
    maxRssMb: Math.max(...all.map((r) => r.maxRssMb ?? 0)),
    stderr: all[0]?.stderr ?? "",
  };
}

header(`Simulation, whole commands (${machine()})`);

const demo = medianRun(["demo", "--out", "OUT"], 3);
process.stdout.write(
  `gridshare demo (17 homes x 8,759 hours, ledger on, report written): ${fmt(demo.seconds, 2)} s median of 3 (goal 10 s), max RSS ${fmt(demo.maxRssMb ?? Number.NaN, 0)} MB\n`,
);
const signed = medianRun(
  ["simulate", SCENARIO, "--out", "OUT", "--ledger", "on", "--sign-orders"],
  3,
);
const signs = /signed ([\d,]+) orders in ([\d.]+) s/.exec(signed.stderr);
process.stdout.write(
  `with --sign-orders: ${fmt(signed.seconds, 2)} s (+${fmt(signed.seconds - demo.seconds, 2)} s; ${signs ? `${signs[1]} Ed25519 signatures took ${signs[2]} s` : "signature count not reported"})\n`,
);

process.stdout.write(
  "\n| homes | intervals | seconds | per home-interval | max RSS |\n|---:|---:|---:|---:|---:|\n",
);
const byHomes: [number, number][] = [];
for (const homes of [100, 250, 500, 1000]) {
  const r = run([
    "simulate",
    SCENARIO,
    "--homes",
    String(homes),
    "--ledger",
    "off",
    "--out",
    "OUT",
  ]);
  byHomes.push([homes, r.seconds]);
  process.stdout.write(
    `| ${homes} | 8,759 | ${fmt(r.seconds, 2)} | ${fmt((r.seconds * 1e6) / (homes * 8759), 2)} us | ${fmt(r.maxRssMb ?? Number.NaN, 0)} MB |\n`,
  );
}
const byDays: [number, number][] = [];
for (const days of [30, 91, 182]) {
  const r = run([
    "simulate",
    SCENARIO,
    "--homes",
    "500",
    "--days",
    String(days),
    "--ledger",
    "off",
    "--out",
    "OUT",
  ]);
  byDays.push([days * 24, r.seconds]);
  process.stdout.write(
    `| 500 | ${(days * 24).toLocaleString("en")} | ${fmt(r.seconds, 2)} | ${fmt((r.seconds * 1e6) / (500 * days * 24), 2)} us | ${fmt(r.maxRssMb ?? Number.NaN, 0)} MB |\n`,
  );
}
byDays.push([8759, (byHomes.find(([h]) => h === 500) as [number, number])[1]]);
const slope = (pts: [number, number][]) => {
  const [a, b] = [pts[0] as [number, number], pts[pts.length - 1] as [number, number]];
  return Math.log(b[1] / a[1]) / Math.log(b[0] / a[0]);
};
process.stdout.write(
  `\ngrowth: time ~ homes^${fmt(slope(byHomes), 2)} (100 to 1,000 homes), time ~ intervals^${fmt(slope(byDays), 2)} (720 to 8,759 intervals, 500 homes); process start and data loading included\n`,
);
