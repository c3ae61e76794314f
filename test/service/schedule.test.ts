/**
 * The market's schedule through the community's time zone: a local day holds 96 quarter-hours,
 * 92 where daylight saving starts and 100 where it ends (Europe/Berlin, 2026-03-29 and
 * 2026-10-25, as the zone database has them); the API lists a local day's intervals; and the
 * gate and opening crossings agree with each interval's phase at every instant.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { formatInstant } from "../../src/core/time.js";
import { localDayStart, parseCalendarDate } from "../../src/core/timeZone.js";
import {
  gatesClosedBetween,
  localDayIntervals,
  opensBetween,
  phaseAt,
  type Schedule,
} from "../../src/service/schedule.js";
import { fixedIdentity, T0 } from "../support/ledgerFixtures.js";
import { LiveServer } from "../support/liveServer.js";

const QUARTER: Schedule = { intervalMinutes: 15, gateClosureMinutes: 5, openHours: 24 };
const day = (text: string) =>
  parseCalendarDate(text) as NonNullable<ReturnType<typeof parseCalendarDate>>;

test("schedule: a Berlin day has 96 quarter-hours, 92 when clocks go forward, 100 when back", () => {
  const count = (d: string) => localDayIntervals(QUARTER, day(d), "Europe/Berlin").length;
  assert.equal(count("2026-03-28"), 96);
  assert.equal(count("2026-03-29"), 92);
  assert.equal(count("2026-10-25"), 100);
  assert.equal(count("2026-10-26"), 96);
  // The day starts at local midnight: 23:00 UTC the evening before in winter, 22:00 in summer.
  const spring = localDayIntervals(QUARTER, day("2026-03-29"), "Europe/Berlin");
  assert.equal(formatInstant(spring[0] as number), "2026-03-28T23:00:00Z");
  assert.equal(formatInstant(spring.at(-1) as number), "2026-03-29T21:45:00Z");
  const autumn = localDayIntervals(QUARTER, day("2026-10-25"), "Europe/Berlin");
  assert.equal(formatInstant(autumn[0] as number), "2026-10-24T22:00:00Z");
  assert.equal(formatInstant(autumn.at(-1) as number), "2026-10-25T22:45:00Z");
  // Hourly intervals: 23 and 25.
  const hourly = { ...QUARTER, intervalMinutes: 60 };
  assert.equal(localDayIntervals(hourly, day("2026-03-29"), "Europe/Berlin").length, 23);
  assert.equal(localDayIntervals(hourly, day("2026-10-25"), "Europe/Berlin").length, 25);
});

test("schedule: where a change skips midnight, the day starts at the first minute that exists", () => {
  // Cuba moved its clocks from 00:00 to 01:00 on 2026-03-08.
  assert.equal(
    formatInstant(localDayStart(day("2026-03-08"), "America/Havana")),
    "2026-03-08T05:00:00Z",
  );
  assert.equal(localDayIntervals(QUARTER, day("2026-03-08"), "America/Havana").length, 92);
  assert.equal(parseCalendarDate("2026-02-30"), undefined);
  assert.equal(parseCalendarDate("2026-3-1"), undefined);
});

test("schedule: local days tile time, and crossings agree with the phases (property)", () => {
  const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"];
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.integer({
        min: Date.UTC(2020, 0, 1) / 86_400_000,
        max: Date.UTC(2030, 0, 1) / 86_400_000,
      }),
      (zone, dayNumber) => {
        const d = new Date(dayNumber * 86_400_000);
        const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
        const next = new Date((dayNumber + 1) * 86_400_000);
        const today = localDayIntervals(QUARTER, date, zone);
        const tomorrow = localDayIntervals(
          QUARTER,
          { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() },
          zone,
        );
        for (let i = 1; i < today.length; i++)
          assert.equal((today[i] as number) - (today[i - 1] as number), 900_000);
        assert.equal((tomorrow[0] as number) - (today.at(-1) as number), 900_000);
      },
    ),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5 * 86_400_000 }),
      fc.integer({ min: 1, max: 3 * 86_400_000 }),
      (a, span) => {
        const after = T0 + a;
        const now = after + span;
        for (const t of gatesClosedBetween(QUARTER, after, now)) {
          assert.equal(phaseAt(QUARTER, t, now), "gate_closed");
          assert.notEqual(phaseAt(QUARTER, t, after), "gate_closed");
        }
        for (const t of opensBetween(QUARTER, after, now)) {
          assert.notEqual(phaseAt(QUARTER, t, now), "scheduled");
          assert.equal(phaseAt(QUARTER, t, after), "scheduled");
        }
      },
    ),
    { numRuns: 200 },
  );
});

test("schedule: the API lists a local day's intervals in the community's zone", async () => {
  const server = await LiveServer.start({
    name: "schedule",
    admin: fixedIdentity("schedule admin"),
    clockStartMs: Date.UTC(2026, 2, 29, 10),
    community: { time_zone: "Europe/Berlin" },
  });
  try {
    const spring = await server.call("GET", "/v1/intervals?day=2026-03-29");
    assert.equal(spring.status, 200, JSON.stringify(spring.json));
    assert.equal(spring.json.time_zone, "Europe/Berlin");
    assert.equal(spring.json.intervals.length, 92);
    const statuses = new Set(spring.json.intervals.map((i: { status: string }) => i.status));
    assert.deepEqual([...statuses].sort(), ["gate_closed", "open"]);
    const open = await server.call("GET", "/v1/intervals?day=2026-10-25&status=open");
    assert.equal(open.json.intervals.length, 0);
    assert.equal(
      (await server.call("GET", "/v1/intervals?day=2026-10-25")).json.intervals.length,
      100,
    );
    const bad = await server.call("GET", "/v1/intervals?day=2026-02-30");
    assert.equal(bad.status, 422);
    assert.equal(bad.json.field, "day");
  } finally {
    await server.close();
  }
});
