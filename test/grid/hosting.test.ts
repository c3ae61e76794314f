import assert from "node:assert/strict";
import { test } from "node:test";
import { loadFeederDir, snapshotAtMinute } from "../../src/formats/feederFiles.js";
import { assess } from "../../src/grid/day.js";
import { buildFeeder } from "../../src/grid/feeder.js";
import { hostingCapacity } from "../../src/grid/hosting.js";
import { PowerFlow } from "../../src/grid/powerflow.js";
import { runCli } from "../support/cli.js";

const FEEDER = new URL("../../data/ieee-eulv", import.meta.url).pathname;

test("hosting capacity: at the capacity no limit is broken, just above it one is", async () => {
  const files = await loadFeederDir(FEEDER);
  const feeder = buildFeeder({
    ...files.feeder.spec,
    source: { ...files.feeder.spec.source, pu: 1 },
  });
  const base = snapshotAtMinute({ feeder, shapes: files.shapes }, 1);
  const buses = [300, 500, 700, feeder.buses.length - 1];
  const r = hostingCapacity(feeder, base, { buses, resolutionKwp: 0.05 });
  const pf = new PowerFlow(feeder);
  const violated = (b: number, kwp: number) => {
    const p = Float64Array.from(base.pKw);
    for (let ph = 0; ph < 3; ph++) p[3 * b + ph] = (p[3 * b + ph] as number) - kwp / 3;
    const s = assess(feeder, { pKw: p, qKvar: base.qKvar }, pf.solve(p, base.qKvar));
    return s.violations > 0 || s.lineLoadingPct > 100 || s.transformerLoadingPct > 100;
  };
  for (const b of buses) {
    const kwp = r.kwp[b] as number;
    assert.ok(kwp > 0 && kwp < 200, `bus ${feeder.buses[b]}: ${kwp}`);
    assert.equal(violated(b, kwp), false, `bus ${feeder.buses[b]} at ${kwp} kWp`);
    assert.equal(violated(b, kwp + 0.1), true, `bus ${feeder.buses[b]} above ${kwp} kWp`);
  }
  // Near the transformer there is room for more than the search goes to.
  const near = hostingCapacity(feeder, base, { buses: [1] });
  assert.equal(near.kwp[1], 200);
  assert.equal(near.limit[1], "none");
  assert.ok(Number.isNaN(near.kwp[2] as number), "buses not asked for are not computed");
});

test("hosting command: bad options are refused", async () => {
  const r = await runCli(["hosting", "--feeder", FEEDER, "--phase", "D"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--phase: expected abc, A, B or C, received "D"/);
});
