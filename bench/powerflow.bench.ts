/**
 * Power flow speed on the IEEE European LV Test Feeder (906 buses): one snapshot once set up,
 * the 1,440-minute day (warm starts, against cold starts in the same process), and how the
 * time grows with the feeder's size (copies of the feeder chained at their heads by 1 m lines).
 *
 *   npm run bench -- powerflow
 */

import { cityLearnPvMinutes } from "../src/formats/datasets.js";
import {
  daySnapshots,
  loadFeederDir,
  loadSnapshotFile,
  snapshotAtMinute,
} from "../src/formats/feederFiles.js";
import { EN50160, runSeries } from "../src/grid/day.js";
import { buildFeeder, type FeederSpec } from "../src/grid/feeder.js";
import { PowerFlow } from "../src/grid/powerflow.js";
import { fmt, header, machine, median } from "./stats.js";

const ROOT = new URL("..", import.meta.url).pathname;
const files = await loadFeederDir(`${ROOT}data/ieee-eulv`);
const f = files.feeder;
header(`Power flow, IEEE EU LV feeder (${machine()})`);

const snap = await loadSnapshotFile(f, `${ROOT}data/ieee-eulv/reference/inputs_minute_566.csv`);
const pf = new PowerFlow(f);
const times: number[] = [];
let iterations = 0;
for (let i = -50; i < 500; i++) {
  const t0 = performance.now();
  const r = pf.solve(snap.pKw, snap.qKvar);
  if (i >= 0) times.push(performance.now() - t0);
  iterations = r.iterations;
}
process.stdout.write(
  `one snapshot (minute 566, flat start, 906 buses): ${fmt(median(times), 3)} ms median of 500 (goal 1 ms), ${iterations} sweeps to 1e-8 pu\n`,
);

const pv = await cityLearnPvMinutes(0);
for (const kwp of [0, 4]) {
  const snaps = daySnapshots(files, pv, kwp);
  const t0 = performance.now();
  const steps = runSeries(f, 1440, snaps);
  const warm = performance.now() - t0;
  const t1 = performance.now();
  const coldSteps = runSeries(f, 1440, snaps, EN50160, false);
  const coldMs = performance.now() - t1;
  const coldIter = coldSteps.reduce((a, s) => a + s.iterations, 0);
  const warmIter = steps.reduce((a, s) => a + s.iterations, 0);
  process.stdout.write(
    `the day, 1,440 minutes, PV ${kwp} kWp per home: ${fmt(warm, 0)} ms with warm starts (goal 2,000 ms), ${fmt(warmIter / 1440, 2)} sweeps per minute; cold starts ${fmt(coldMs, 0)} ms, ${fmt(coldIter / 1440, 2)} sweeps (ratio ${fmt(coldMs / warm, 2)}x)\n`,
  );
}

process.stdout.write(
  "\n| copies | buses | snapshot ms (median) | us per bus | sweeps |\n|---:|---:|---:|---:|---:|\n",
);
const base = f.spec;
for (const copies of [1, 2, 4, 8, 16]) {
  const lines = [];
  const loads = [];
  for (let c = 0; c < copies; c++) {
    const name = (bus: string) => (c === 0 ? bus : `${bus}#${c}`);
    for (const l of base.lines)
      lines.push({ ...l, name: name(l.name), from: name(l.from), to: name(l.to) });
    for (const l of base.loads) loads.push({ ...l, name: name(l.name), bus: name(l.bus) });
    if (c > 0)
      lines.push({
        name: `TIE${c}`,
        from: c === 1 ? "1" : `1#${c - 1}`,
        to: `1#${c}`,
        lengthKm: 0.001,
        code: "4c_185",
      });
  }
  const spec: FeederSpec = {
    ...base,
    lines,
    loads,
    transformer: { ...base.transformer, kva: base.transformer.kva * copies },
  };
  const big = buildFeeder(spec);
  const s = snapshotAtMinute({ feeder: big, shapes: files.shapes }, 566);
  const solver = new PowerFlow(big);
  const t: number[] = [];
  let it = 0;
  for (let i = -10; i < 100; i++) {
    const t0 = performance.now();
    it = solver.solve(s.pKw, s.qKvar).iterations;
    if (i >= 0) t.push(performance.now() - t0);
  }
  const ms = median(t);
  process.stdout.write(
    `| ${copies} | ${big.buses.length.toLocaleString("en")} | ${fmt(ms, 3)} | ${fmt((1000 * ms) / big.buses.length, 3)} | ${it} |\n`,
  );
}
