/**
 * `gridshare data check` on a year of one-minute data (525,600 rows): each day one of the IEEE
 * EU LV load shapes (seeded choice) with 5 % seeded noise, and 20 each of gaps, spikes, stuck
 * periods, negative readings and duplicate rows injected at seeded places. Times the whole
 * command in-process (read, parse, check, estimate, write the cleaned series) and as a fresh
 * process, and reports what it found against what was injected.
 *
 *   npm run bench -- dataCheck
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/cli/main.js";
import { createRng } from "../src/core/rng.js";
import { loadEulvProfile } from "../src/formats/datasets.js";
import { checkSeries } from "../src/maintenance/dataQuality.js";
import { type FaultKind, type Injected, inject, type Rows, score } from "../test/support/faults.js";
import { fmt, header, machine, median } from "./stats.js";

const MINUTE = 60_000;
const rng = createRng(525_600);
const start = Date.UTC(2025, 0, 1);
let rows: Rows = { times: [], values: [] };
for (let d = 0; d < 380; d++) {
  const shape = await loadEulvProfile(rng.int(1, 100));
  for (let m = 0; m < 1440; m++) {
    rows.times.push(start + (d * 1440 + m) * MINUTE);
    const kw = (shape.values[m] as number) * 60;
    rows.values.push(Math.max(0, kw * (1 + 0.05 * rng.normal())));
  }
}
const events = new Map<FaultKind, Injected[]>();
for (const kind of ["gap", "spike", "stuck", "negative", "duplicate"] as const) {
  const r = inject(rows, kind, 20, rng.fork(kind), MINUTE);
  rows = r.rows;
  events.set(kind, r.events);
}
// A year of rows exactly: cut what the deleted gap rows pushed beyond it.
const YEAR = 525_600;
rows = { times: rows.times.slice(0, YEAR), values: rows.values.slice(0, YEAR) };
const end = rows.times[YEAR - 1] as number;
for (const [kind, ev] of events)
  events.set(
    kind,
    ev.filter((e) => e.toMs <= end),
  );
const dir = mkdtempSync(join(tmpdir(), "gridshare-bench-"));
const file = join(dir, "year-1min.csv");
const lines = ["time,kw"];
for (let i = 0; i < rows.times.length; i++)
  lines.push(
    `${new Date(rows.times[i] as number).toISOString().slice(0, 19)}Z,${(rows.values[i] as number).toFixed(4)}`,
  );
writeFileSync(file, `${lines.join("\n")}\n`);
header(`data check, ${rows.times.length.toLocaleString("en")} one-minute rows (${machine()})`);

const quiet = { write: () => true };
const io = { stdout: quiet, stderr: quiet, readStdin: async () => "", cwd: process.cwd(), env: {} };
const times: number[] = [];
for (let k = 0; k < 6; k++) {
  const t0 = performance.now();
  const code = await run(["data", "check", file, "--out", join(dir, "clean.csv"), "--json"], io);
  if (code !== 0) throw new Error(`data check exit ${code}`);
  if (k > 0) times.push(performance.now() - t0);
}
const t1 = performance.now();
const p = spawnSync(
  process.execPath,
  ["bin/gridshare.js", "data", "check", file, "--out", join(dir, "clean.csv")],
  {
    encoding: "utf8",
  },
);
const processMs = performance.now() - t1;
if (p.status !== 0) throw new Error(p.stderr);
process.stdout.write(
  `in-process (read, check, write the cleaned series): ${fmt(median(times), 0)} ms median of 5 (goal 2,000 ms)\n` +
    `as a fresh process (node start, module load included): ${fmt(processMs, 0)} ms\n`,
);
const r = checkSeries({
  times: Float64Array.from(rows.times),
  values: Float64Array.from(rows.values),
  kind: "load",
});
for (const [kind, ev] of events) {
  const s = score(kind, r.findings, [], ev, MINUTE);
  process.stdout.write(
    `${kind}: recall ${fmt(s.recall, 2)}, precision ${fmt(s.precision, 2)} (${s.found} found, ${s.events} injected)\n`,
  );
}
