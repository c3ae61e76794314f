/**
 * The solar home control bench (P. Haessig, 2019; github.com/pierre-haessig/solarhome-control-bench)
 * on its own data and set-up (bench/solarhome/config.json): every policy, and MPC with every
 * forecast gridshare has, next to the results published with the bench.
 *
 *   npm run bench:solarhome
 */
import { readFileSync } from "node:fs";
import { parseCsv } from "../../src/formats/csv.js";
import { loadHousehold, parseHouseholdConfig } from "../../src/formats/householdConfig.js";
import type { BatterySpec } from "../../src/home/battery.js";
import type { HouseholdProblem, Schedule } from "../../src/optimize/household.js";
import { householdForecaster } from "../../src/optimize/householdForecaster.js";
import { runMpc, runPerfect, runRule } from "../../src/optimize/policies.js";
import { summarize } from "../../src/optimize/summary.js";
import { HighsSolver } from "../../src/runtime/highsSolver.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const DATA = `${ROOT}data/ausgrid-solar-home/customer12_2011-2012.csv`;
const CONFIG = `${ROOT}bench/solarhome/config.json`;
const h = loadHousehold(
  parseHouseholdConfig(JSON.parse(readFileSync(CONFIG, "utf8")), CONFIG),
  parseCsv(readFileSync(DATA, "utf8"), DATA),
  CONFIG,
);
const solver = new HighsSolver();
const free: HouseholdProblem = {
  ...h.problem,
  battery: { ...(h.problem.battery as BatterySpec), finalMinKwh: undefined },
};

/** Published with the bench (the methods' results/*_stat.csv), EUR/day. */
const PUBLISHED: [string, number][] = [
  ["rule-based (Python, Julia)", 0.5633069],
  ["anticipative optimum (Julia)", 0.3537336],
  ["MPC 24 h, daily-mean forecast (Julia)", 0.5086007],
  ["rule-based optimised (Python)", 0.5121031],
  ["OLFC 24 h (Julia)", 0.5223351],
  ["SDP (Python)", 0.5233412],
];

const rows: string[] = [];
const row = (name: string, end: string, p: HouseholdProblem, s: Schedule, seconds: number) => {
  const m = summarize(p, s);
  rows.push(
    `| ${name} | ${end} | ${m.costPerDay.toFixed(5)} | ${m.gridKwhPerDay.toFixed(3)} | ${m.curtailedKwhPerDay.toFixed(3)} | ${m.finalSocKwh.toFixed(2)} | ${seconds.toFixed(2)} |`,
  );
};
const timed = async (f: () => Promise<Schedule> | Schedule) => {
  const t0 = performance.now();
  const s = await f();
  return { s, seconds: (performance.now() - t0) / 1000 };
};

let r = await timed(() => runRule(h.problem));
row("rule", "-", h.problem, r.s, r.seconds);
r = await timed(() => runPerfect(h.problem, solver));
row("perfect", ">= 4 kWh", h.problem, r.s, r.seconds);
for (const forecast of ["persistence", "profile", "fixed-profile"] as const) {
  for (const [end, p] of [
    [">= 4 kWh", h.problem],
    ["free (as published)", free],
  ] as const) {
    r = await timed(() =>
      runMpc(p, solver, { horizonSteps: 48, forecaster: householdForecaster(h, forecast) }),
    );
    row(`mpc 24 h, ${householdForecaster(h, forecast).name}`, end, p, r.s, r.seconds);
  }
}
// An upper bound, not a forecast: the MPC told the true future load and PV.
r = await timed(() =>
  runMpc(free, solver, {
    horizonSteps: 48,
    forecaster: {
      name: "oracle",
      forecast: (t, n) => ({
        loadKw: free.loadKw.slice(t, t + n),
        pvKw: free.pvKw.slice(t, t + n),
      }),
    },
  }),
);
row(
  "mpc 24 h, the true future (oracle, an upper bound)",
  "free (as published)",
  free,
  r.s,
  r.seconds,
);
await solver.close();

process.stdout.write(
  `## Solar home control bench, 30 days from 2011-11-29 (EUR/day)\n\n| policy | end of period SoC | cost/day | grid kWh/day | curtailed kWh/day | final SoC kWh | seconds |\n|---|---|---:|---:|---:|---:|---:|\n${rows.join("\n")}\n\nPublished with the bench:\n\n| method | cost/day |\n|---|---:|\n${PUBLISHED.map(([n, c]) => `| ${n} | ${c.toFixed(5)} |`).join("\n")}\n`,
);
