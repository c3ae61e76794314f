import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { hubSpeed, speedOf, turbinePower, windEnergy } from "./wind.js";

const TURBINE = {
  ratedKw: 3,
  hubHeightM: 18,
  powerCurve: [
    [3, 0],
    [6, 0.8],
    [9, 2.2],
    [12, 3],
    [25, 3],
  ] as const,
};

test("the power law carries 10 m wind to an 18 m hub: 7 m/s becomes 7 x 1.8^(1/7) = 7.613 m/s", () => {
  assert.ok(Math.abs(hubSpeed(7, 10, TURBINE) - 7 * 1.8 ** (1 / 7)) < 1e-12);
  assert.ok(Math.abs(hubSpeed(7, 10, TURBINE) - 7.61317) < 1e-5);
});

test("the power curve: zero below cut-in and above cut-out, linear between points, capped at rated", () => {
  assert.equal(turbinePower(2.9, TURBINE), 0);
  assert.equal(turbinePower(25.1, TURBINE), 0);
  assert.ok(Math.abs(turbinePower(7.5, TURBINE) - 1.5) < 1e-12);
  assert.equal(turbinePower(15, TURBINE), 3);
  // An hour at 7 m/s measured at 10 m.
  const e = windEnergy(Float64Array.from([7]), 10, TURBINE, 1);
  assert.ok(Math.abs((e[0] as number) - (0.8 + (1.4 * (7.61317 - 6)) / 3)) < 1e-3);
  assert.equal(speedOf(3, 4), 5);
});

test("property: more wind never means less power below cut-out", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 24, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (v, dv) => {
        assert.ok(turbinePower(Math.min(25, v + dv), TURBINE) >= turbinePower(v, TURBINE) - 1e-12);
      },
    ),
  );
});
