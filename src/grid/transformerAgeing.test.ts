import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  dailyCycle,
  IEC_ONAN_DISTRIBUTION,
  relativeAgeingRate,
  transformerThermal,
} from "./transformerAgeing.js";

const constant = (n: number, v: number) => new Float64Array(n).fill(v);

test("IEC 60076-7 relative ageing rates of non-thermally-upgraded paper (its Table 2)", () => {
  const table: [number, number][] = [
    [80, 0.125],
    [86, 0.25],
    [92, 0.5],
    [98, 1],
    [104, 2],
    [110, 4],
    [116, 8],
    [122, 16],
    [128, 32],
    [134, 64],
    [140, 128],
  ];
  for (const [hot, v] of table)
    assert.ok(Math.abs(relativeAgeingRate(hot) - v) < 1e-12, `${hot} °C`);
});

test("rated load in 20 °C air: hot spot 98 °C, normal ageing (the design point of the standard)", () => {
  const r = transformerThermal(constant(72, 1), constant(72, 20), 60);
  assert.ok(Math.abs((r.hotSpotC[71] as number) - 98) < 1e-9);
  assert.ok(Math.abs((r.topOilC[71] as number) - 75) < 1e-9);
  assert.ok(Math.abs(r.equivalentAgeing - 1) < 1e-9);
  assert.ok(Math.abs(r.lossOfLifeHours - 72) < 1e-6);
  assert.equal(r.hoursBeyondLimits, 0);
});

test("a step from no load to rated load: top oil rises with the oil time constant (63 % after 180 min)", () => {
  const load = new Float64Array(24 * 60);
  load.fill(1, 60);
  const r = transformerThermal(load, constant(load.length, 20), 1);
  const start = 20 + (1 / 6) ** 0.8 * 55;
  const end = 75;
  const at = (m: number) => ((r.topOilC[60 + m - 1] as number) - start) / (end - start);
  assert.ok(Math.abs(at(180) - (1 - Math.exp(-1))) < 0.01, `after 180 min: ${at(180)}`);
  assert.ok(at(24 * 60 - 61) > 0.99);
  // The winding follows in minutes: 4 min constant, k22 = 2, so 63 % of the gradient after 8 min.
  const grad = (m: number) =>
    (r.hotSpotC[60 + m - 1] as number) - (r.topOilC[60 + m - 1] as number);
  assert.ok(Math.abs(grad(8) / 23 - (1 - Math.exp(-1))) < 0.03, `gradient after 8 min: ${grad(8)}`);
});

test("1.5 pu in 30 °C air for hours: beyond the normal cyclic limits, ageing far faster than nominal", () => {
  const r = transformerThermal(constant(12, 1.5), constant(12, 30), 60);
  assert.ok(r.peakHotSpotC > 140);
  assert.ok(r.equivalentAgeing > 20);
  assert.ok(r.hoursBeyondLimits > 5);
});

test("property: more load or warmer air never ages the transformer less", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1.6, noNaN: true }), { minLength: 4, maxLength: 48 }),
      fc.double({ min: 0, max: 0.4, noNaN: true }),
      fc.double({ min: -10, max: 35, noNaN: true }),
      (load, extra, ambient) => {
        const air = constant(load.length, ambient);
        const base = transformerThermal(load, air, 30, IEC_ONAN_DISTRIBUTION);
        const more = transformerThermal(
          load.map((k) => k + extra),
          air,
          30,
        );
        const warmer = transformerThermal(load, constant(load.length, ambient + 5), 30);
        assert.ok(more.lossOfLifeHours >= base.lossOfLifeHours - 1e-9);
        assert.ok(warmer.lossOfLifeHours >= base.lossOfLifeHours - 1e-9);
      },
    ),
    { numRuns: 200 },
  );
});

test("a daily cycle: an evening peak of 1.3 pu for 3 hours on 0.6 pu a hot peak, about nominal ageing over the day in 25 °C air", () => {
  const day = Array.from({ length: 24 }, (_, h) => (h >= 17 && h < 20 ? 1.3 : 0.6));
  const c = dailyCycle(day, 25, 60);
  // The cycle repeats itself: a fourth day adds as much life lost as the third.
  const flat = dailyCycle(new Array(24).fill(0.6), 25, 60);
  assert.ok(c.peakHotSpotC > 115 && c.peakHotSpotC < 125, `peak ${c.peakHotSpotC}`);
  // Hours above 104 °C age the paper 2-8 times faster, the cool rest of the day buys it back.
  assert.ok(c.equivalentAgeing > 0.5 && c.equivalentAgeing < 1, `ageing ${c.equivalentAgeing}`);
  assert.ok(c.equivalentAgeing > 10 * flat.equivalentAgeing);
  assert.ok(Math.abs(c.lossOfLifeHoursPerDay - 24 * c.equivalentAgeing) < 1e-9);
  // At 0.6 pu all day the hot spot sits far below 98 °C: slow ageing.
  assert.ok(flat.equivalentAgeing < 0.05);
});
