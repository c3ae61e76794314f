import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fitFade, predictEol } from "./batteryHealth.js";

function cell(name: string) {
  const lines = readFileSync(
    new URL(`../../data/nasa-battery/${name}.csv`, import.meta.url),
    "utf8",
  )
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  return { cycles: lines.map((r) => Number(r[0])), capacity: lines.map((r) => Number(r[4])) };
}

test("battery health: Theil-Sen recovers a known fade despite regeneration jumps", () => {
  // 2.0 Ah fading 0.004 Ah per cycle, with a +0.08 Ah jump after every 20th cycle that decays.
  const cycles = Array.from({ length: 100 }, (_, i) => i + 1);
  const capacity = cycles.map(
    (k) => 2 - 0.004 * k + (k % 20 < 3 && k > 3 ? 0.08 / (1 + (k % 20)) : 0),
  );
  const fit = fitFade(cycles, capacity);
  assert.ok(Math.abs(fit.slope + 0.004) < 2e-4, `slope ${fit.slope}`);
  assert.ok(fit.slopeLow <= fit.slope && fit.slope <= fit.slopeHigh);
});

test("battery health: NASA cells, trained on the first half, against the actual end of life", () => {
  const results = Object.fromEntries(
    ["B0005", "B0006", "B0007", "B0018"].map((name) => {
      const { cycles, capacity } = cell(name);
      const train = Math.floor((cycles[cycles.length - 1] as number) / 2);
      return [
        name,
        predictEol(cycles, capacity, { trainCycles: train, thresholdAh: 1.4, ratedAh: 2 }),
      ];
    }),
  );
  // Measured end of life (first cycle below 1.4 Ah) and the prediction's error, in cycles.
  assert.equal(results.B0005?.actualEolCycle, 125);
  assert.equal(results.B0006?.actualEolCycle, 109);
  assert.equal(results.B0018?.actualEolCycle, 97);
  assert.equal(results.B0007?.actualEolCycle, null, "B0007 never reaches 1.4 Ah");
  assert.ok(Math.abs((results.B0005?.predictedEolCycle as number) - 125) <= 5);
  assert.ok(Math.abs((results.B0018?.predictedEolCycle as number) - 97) <= 5);
  // B0006 fades fast in its first half and slower after: the prediction is 17 cycles early.
  assert.equal((results.B0006?.predictedEolCycle as number) - 109, -17);
  for (const r of Object.values(results)) {
    assert.ok(r.interval !== null);
    const [lo, hi] = r.interval as [number, number | null];
    assert.ok(
      lo <= (r.predictedEolCycle as number) &&
        (hi === null || hi >= (r.predictedEolCycle as number)),
    );
  }
});

test("battery health: only the training cycles are used (later data cannot change the prediction)", () => {
  const { cycles, capacity } = cell("B0005");
  const a = predictEol(cycles, capacity, { trainCycles: 84, thresholdAh: 1.4, ratedAh: 2 });
  const corrupted = capacity.map((c, i) => ((cycles[i] as number) > 84 ? c * 0.5 + 0.3 : c));
  const b = predictEol(cycles, corrupted, { trainCycles: 84, thresholdAh: 1.4, ratedAh: 2 });
  assert.equal(b.predictedEolCycle, a.predictedEolCycle);
  assert.deepEqual(b.interval, a.interval);
  assert.deepEqual(b.fit, a.fit);
});
