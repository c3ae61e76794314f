import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { alignSeries, resample } from "./series.js";

const total = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

test("property: resampling conserves energy, for coarser, finer and uneven steps", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 5, 15, 30, 60),
      fc.constantFrom(1, 10, 15, 20, 30, 45, 60, 120),
      fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 300 }),
      (from, to, values) => {
        // Whole target steps only: trim the source to a common multiple.
        const lcm = (a: number, b: number): number => (a * b) / gcd(a, b);
        const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
        const unit = lcm(from, to) / from;
        const n = Math.floor(values.length / unit) * unit;
        if (n === 0) return;
        const src = {
          startMs: 0,
          stepMinutes: from,
          values: Float64Array.from(values.slice(0, n)),
          source: "t",
        };
        const r = resample(src, to);
        assert.ok(
          Math.abs(total(r.values) - total(src.values)) < 1e-9 * (1 + total(src.values)),
          `${from} -> ${to}`,
        );
        assert.equal(r.values.length, (n * from) / to);
      },
    ),
    { numRuns: 400 },
  );
});

test("behavior: rates resample as time-weighted means; alignment cuts and checks the period", () => {
  const price = {
    startMs: 0,
    stepMinutes: 30,
    values: Float64Array.from([0.1, 0.3, 0.2, 0.2]),
    source: "p",
  };
  assert.deepEqual(Array.from(resample(price, 60, "mean").values), [0.2, 0.2]);
  const energy = {
    startMs: 0,
    stepMinutes: 30,
    values: Float64Array.from([1, 2, 3, 4]),
    source: "e",
  };
  assert.deepEqual(Array.from(alignSeries(energy, 3_600_000, 60, 1, "f")), [7]);
  assert.throws(
    () => alignSeries(energy, 0, 60, 3, "load"),
    /load: the period .* is outside the data of e/,
  );
  assert.throws(
    () => alignSeries(energy, 60_000, 60, 1, "load"),
    /does not fall on an interval boundary/,
  );
});
