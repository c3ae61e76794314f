/**
 * Line charts: a value with no drawn neighbour (a run of one month, or a point between gaps) is
 * marked with a dot; before, it was a path of no length, and the chart looked empty.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { lineChart } from "../../src/report/charts.js";

const dots = (values: (number | null)[]) =>
  (
    lineChart({
      title: "t",
      xLabels: values.map((_, i) => String(i)),
      series: [{ name: "s", values }],
      yLabel: "y",
    }).match(/<circle /g) ?? []
  ).length;

test("a lone value is drawn as a dot; values on a line are not", () => {
  assert.equal(dots([0.5]), 1);
  assert.equal(dots([0.5, 0.6]), 0);
  assert.equal(dots([0.5, null, 0.6, 0.7]), 1);
  assert.equal(dots([0.5, null, 0.6, null, 0.7]), 3);
  assert.equal(dots([null, null]), 0);
});
