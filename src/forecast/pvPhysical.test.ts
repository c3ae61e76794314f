import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { diffuseFraction, planeOfArray, pvOutput, sunPosition } from "./pvPhysical.js";

test("sun position: NREL SPA's example (Golden, Colorado, 17 October 2003 12:30:30 local) within 0.1 degrees", () => {
  // Reda & Andreas (2004), table A4.1: zenith 50.11162 (with refraction), azimuth 194.34024.
  const s = sunPosition(Date.UTC(2003, 9, 17, 19, 30, 30), 39.742476, -105.1786);
  assert.ok(Math.abs(s.zenith - 50.11162) < 0.1, `zenith ${s.zenith}`);
  assert.ok(Math.abs(s.azimuth - 194.34024) < 0.1, `azimuth ${s.azimuth}`);
});

test("sun position: at the equinox the sun stands over the equator at noon; it rises in the east", () => {
  const noon = sunPosition(Date.UTC(2024, 2, 20, 12, 7), 0, 0);
  assert.ok(noon.zenith < 1.5, `zenith ${noon.zenith}`);
  const morning = sunPosition(Date.UTC(2024, 2, 20, 7, 0), 0, 0);
  assert.ok(Math.abs(morning.azimuth - 90) < 2, `azimuth ${morning.azimuth}`);
  // Sydney at local noon in December (summer): sun high in the north.
  const sydney = sunPosition(Date.UTC(2023, 11, 21, 1, 50), -33.87, 151.21);
  assert.ok(
    sydney.zenith < 12 && (sydney.azimuth > 300 || sydney.azimuth < 60),
    JSON.stringify(sydney),
  );
});

test("plane of array: a flat array sees the global irradiance; facing the sun squarely it sees more", () => {
  const sun = sunPosition(Date.UTC(2024, 5, 21, 19, 0), 39.7, -105.2);
  const flat = planeOfArray(800, sun, { latitude: 39.7, longitude: -105.2, tilt: 0, azimuth: 180 });
  assert.ok(Math.abs(flat - 800) < 1e-9, `flat ${flat}`);
  const facing = planeOfArray(800, sun, {
    latitude: 39.7,
    longitude: -105.2,
    tilt: sun.zenith,
    azimuth: sun.azimuth,
  });
  assert.ok(facing > 800);
  assert.equal(
    planeOfArray(500, sunPosition(Date.UTC(2024, 5, 21, 8, 0), 39.7, -105.2), {
      latitude: 39.7,
      longitude: -105.2,
      tilt: 30,
      azimuth: 180,
    }),
    0,
  );
});

test("Erbs: overcast is all diffuse, clear sky mostly beam; output derates with heat", () => {
  assert.ok(diffuseFraction(0.1) > 0.98);
  assert.ok(diffuseFraction(0.85) === 0.165);
  assert.ok(pvOutput(1000, 35, 5) < pvOutput(1000, 10, 5));
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (kt) => {
      const f = diffuseFraction(kt);
      assert.ok(f >= 0.16 && f <= 1);
    }),
  );
});
