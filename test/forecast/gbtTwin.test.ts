/**
 * The gradient-boosted trees against their naive twin (test/support/naiveGbt.ts) on random
 * data: the same forecasts to the last bit where the arithmetic is exact (the absolute loss
 * sums only signs; one squared-loss tree on whole-number targets with a whole-number mean sums
 * only whole numbers).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fitGbt } from "../../src/forecast/learners.js";
import { naiveGbt } from "../support/naiveGbt.js";

/** Rows of `p` features, some missing, with many ties; whole-number targets. */
const data = fc
  .record({ p: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 0, max: 90 }) })
  .chain(({ p, m }) =>
    fc.record({
      rows: fc.array(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(Number.NaN)), {
          minLength: p,
          maxLength: p,
        }),
        { minLength: m, maxLength: m },
      ),
      y: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: m, maxLength: m }),
      probes: fc.array(
        fc.array(fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constant(Number.NaN)), {
          minLength: p,
          maxLength: p,
        }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  );

const options = fc.record({
  depth: fc.integer({ min: 1, max: 4 }),
  minLeaf: fc.integer({ min: 1, max: 8 }),
  bins: fc.integer({ min: 2, max: 12 }),
  subsample: fc.constantFrom(1, 0.7),
});

function sameForecasts(
  a: ReturnType<typeof fitGbt>,
  b: ReturnType<typeof fitGbt>,
  rows: number[][],
) {
  for (const row of rows) assert.equal(a.predict(row), b.predict(row), JSON.stringify(row));
}

test("property: absolute-loss trees equal their naive twin's, round after round", () => {
  fc.assert(
    fc.property(data, options, fc.integer({ min: 1, max: 8 }), (d, o, rounds) => {
      const opts = { ...o, rounds, loss: "l1" as const, learningRate: 0.3 };
      sameForecasts(fitGbt(d.rows, d.y, opts), naiveGbt(d.rows, d.y, opts), [
        ...d.rows,
        ...d.probes,
      ]);
    }),
    { numRuns: 150 },
  );
});

test("property: one squared-loss tree on whole-number targets equals its naive twin's", () => {
  fc.assert(
    fc.property(data, options, (d, o) => {
      // Whole-number residuals need a whole-number mean: move the first target to make one.
      const y = [...d.y];
      const total = y.reduce((a, b) => a + b, 0);
      if (y.length > 0) y[0] = (y[0] as number) - (((total % y.length) + y.length) % y.length);
      const opts = { ...o, rounds: 1, learningRate: 1 };
      sameForecasts(fitGbt(d.rows, y, opts), naiveGbt(d.rows, y, opts), [...d.rows, ...d.probes]);
    }),
    { numRuns: 150 },
  );
});
