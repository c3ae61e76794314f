import assert from "node:assert/strict";
import { test } from "node:test";
import { isTimeZone, localParts, localToUtc, offsetMinutes } from "./timeZone.js";

test("default: local fields and offsets, with daylight saving", () => {
  assert.ok(isTimeZone("Europe/Berlin"));
  assert.ok(!isTimeZone("Mars/Olympus"));
  const summer = Date.UTC(2026, 5, 1, 12);
  assert.deepEqual(localParts(summer, "Europe/Berlin"), {
    year: 2026,
    month: 6,
    day: 1,
    hour: 14,
    minute: 0,
    weekday: 1,
  });
  assert.equal(offsetMinutes(summer, "Europe/Berlin"), 120);
  assert.equal(offsetMinutes(Date.UTC(2026, 0, 1), "Europe/Berlin"), 60);
  assert.equal(offsetMinutes(summer, "Etc/GMT+8"), -480);
});

test("behavior: local wall-clock times to UTC, including skipped and repeated hours", () => {
  assert.equal(
    localToUtc({ year: 2026, month: 6, day: 1, hour: 14, minute: 0 }, "Europe/Berlin"),
    Date.UTC(2026, 5, 1, 12),
  );
  // 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00).
  assert.equal(
    localToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, "Europe/Berlin"),
    undefined,
  );
  // 2026-10-25 02:30 happens twice; the earlier (summer time) instant is taken.
  assert.equal(
    localToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Berlin"),
    Date.UTC(2026, 9, 25, 0, 30),
  );
});
