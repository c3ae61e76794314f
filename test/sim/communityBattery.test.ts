import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BatteryState, batteryOfRating } from "../../src/home/battery.js";
import { exchangeWithBattery } from "../../src/sim/communityBattery.js";

/** A battery with `roomWh` of room left (lossless, no power limit within the interval). */
function batteryWithRoom(capacityKwh: number, roomWh: number): BatteryState {
  const spec = batteryOfRating({
    capacityKwh,
    powerKw: 1000,
    roundTripEfficiency: 1,
    minSoc: 0,
    initialSoc: 0,
  });
  return new BatteryState(spec, 1, capacityKwh - roomWh / 1000);
}

const account = () =>
  ({ communityBatterySoc: new Float32Array(1) }) as unknown as Parameters<
    typeof exchangeWithBattery
  >[1];

test("community battery: whole Wh, rounded half-even like every other energy figure", () => {
  // 2,999.6 Wh of room: the battery takes 3,000 Wh as the meters count it (floor said 2,999).
  const cb = batteryWithRoom(10, 2999.6);
  const x = exchangeWithBattery(cb, account(), 0, { importWh: 0, exportWh: 5000 });
  assert.equal(x.chargeWh, 3000);
  // It is full, and never above what it can hold.
  assert.ok(Math.abs(cb.soc - 10) < 1e-9 && cb.soc <= 10);
  // An empty battery of 2.5 Wh takes the even 2 Wh; one of 3.5 Wh takes 4 Wh.
  const empty = (wh: number) => batteryWithRoom(wh / 1000, wh);
  const offer = { importWh: 0, exportWh: 9 };
  assert.equal(exchangeWithBattery(empty(2.5), account(), 0, offer).chargeWh, 2);
  assert.equal(exchangeWithBattery(empty(3.5), account(), 0, offer).chargeWh, 4);
});

test("property: the battery exchanges no more than was offered, rounded from what it could take", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 5000, noNaN: true }),
      fc.integer({ min: 0, max: 6000 }),
      fc.boolean(),
      (roomWh, offeredWh, exporting) => {
        const cb = batteryWithRoom(10, roomWh);
        const before = cb.soc;
        const unmatched = exporting
          ? { importWh: 0, exportWh: offeredWh }
          : { importWh: offeredWh, exportWh: 0 };
        const can = exporting ? cb.chargeableKwh() * 1000 : cb.dischargeableKwh() * 1000;
        const x = exchangeWithBattery(cb, account(), 0, unmatched);
        const moved = exporting ? x.chargeWh : x.dischargeWh;
        assert.ok(Number.isInteger(moved) && moved >= 0 && moved <= offeredWh);
        assert.ok(Math.abs(moved - Math.min(offeredWh, can)) <= 0.5);
        assert.ok(cb.soc <= 10 + 1e-9 && cb.soc >= -1e-9);
        assert.ok(Math.abs(Math.abs(cb.soc - before) * 1000 - moved) <= 0.5 + 1e-6);
      },
    ),
  );
});
