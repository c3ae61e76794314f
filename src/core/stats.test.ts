import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { median, medianInPlace, quantileSorted } from "./stats.js";

test("default: medians of odd and even counts, NaN for none; quantiles of sorted values", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const values = [5, 3, 9];
  assert.equal(median(values), 5);
  assert.deepEqual(values, [5, 3, 9], "median leaves its input as it was");
  assert.equal(medianInPlace(values), 5);
  assert.deepEqual(values, [3, 5, 9], "medianInPlace sorts it");
  const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(
    [0, 0.1, 0.5, 1].map((q) => quantileSorted(sorted, q)),
    [1, 2, 6, 10],
  );
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
});

test("property: as many values lie at or below the median as at or above it", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1 }),
      (xs) => {
        const m = median(xs);
        assert.ok(xs.filter((x) => x <= m).length >= xs.length / 2);
        assert.ok(xs.filter((x) => x >= m).length >= xs.length / 2);
      },
    ),
  );
});
