import assert from "node:assert/strict";
import { test } from "node:test";
import { formatInstant, parseInstant } from "./time.js";

test("default: ISO 8601 instants with an offset", () => {
  assert.equal(parseInstant("2026-06-01T12:00:00Z"), Date.UTC(2026, 5, 1, 12));
  assert.equal(parseInstant("2026-06-01T12:00Z"), Date.UTC(2026, 5, 1, 12));
  assert.equal(parseInstant("2026-06-01T14:00:00+02:00"), Date.UTC(2026, 5, 1, 12));
  assert.equal(parseInstant("2026-06-01T12:00:00.250Z"), Date.UTC(2026, 5, 1, 12) + 250);
  assert.equal(parseInstant("2024-02-29T00:00:00Z"), Date.UTC(2024, 1, 29));
});

test("error: anything else is undefined", () => {
  for (const bad of [
    "2026-06-01",
    "2026-06-01T12:00:00",
    "2026-02-30T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-06-01T24:00:00Z",
    "yesterday",
    "2026-06-01 12:00:00Z",
    "",
  ]) {
    assert.equal(parseInstant(bad), undefined, bad);
  }
});

test("default: formatInstant drops zero milliseconds and round-trips", () => {
  assert.equal(formatInstant(Date.UTC(2026, 5, 1, 12)), "2026-06-01T12:00:00Z");
  assert.equal(formatInstant(Date.UTC(2026, 5, 1, 12) + 5), "2026-06-01T12:00:00.005Z");
  const t = Date.UTC(2026, 0, 2, 3, 4, 5);
  assert.equal(parseInstant(formatInstant(t)), t);
});
