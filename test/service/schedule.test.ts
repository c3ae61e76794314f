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
  dueForClearing,
  firstGateAfter,
  firstUnopened,
  gateClosesAt,
  gatesClosedBetween,
  localDayIntervals,
  openIntervals,
  opensAt,
  opensBetween,
  phaseAt,
  type Schedule,
  timingAt,
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

test("schedule: timings that change from later intervals on answer per interval (property)", () => {
  const STEP = 15 * 60_000;
  const timing = fc.record({
    gateClosureMinutes: fc.integer({ min: 0, max: 600 }),
    openHours: fc.integer({ min: 10, max: 48 }),
  });
  fc.assert(
    fc.property(
      timing,
      fc.array(fc.tuple(fc.integer({ min: -400, max: 400 }), timing), { maxLength: 4 }),
      fc.integer({ min: -200 * 4, max: 200 * 4 }),
      fc.integer({ min: 1, max: 3 * 86_400_000 }),
      (base, raw, offset, span) => {
        const froms = [...new Set(raw.map(([q]) => T0 + q * STEP))].sort((a, b) => a - b);
        const changes = froms.map((fromMs, i) => ({
          fromMs,
          ...(raw[i] as [number, typeof base])[1],
        }));
        const s: Schedule = { intervalMinutes: 15, ...base, changes };
        const after = T0 + offset * 60_000;
        const now = after + span;
        // Each interval has the timing of the latest change at or before it.
        const all: number[] = [];
        for (let t = T0 - 600 * STEP; t <= T0 + 600 * STEP; t += STEP) all.push(t);
        for (const t of all) {
          const own = [...changes].reverse().find((c) => c.fromMs <= t) ?? base;
          const { gateClosureMinutes, openHours } = timingAt(s, t);
          assert.deepEqual(
            [gateClosureMinutes, openHours],
            [own.gateClosureMinutes, own.openHours],
          );
          assert.equal(gateClosesAt(s, t), t - own.gateClosureMinutes * 60_000);
          assert.equal(opensAt(s, t), t - own.openHours * 3_600_000);
        }
        const phase = (t: number, at: number) => phaseAt(s, t, at);
        assert.deepEqual(
          openIntervals(s, now),
          all.filter((t) => phase(t, now) === "open"),
        );
        assert.deepEqual(
          gatesClosedBetween(s, after, now),
          all.filter((t) => phase(t, now) === "gate_closed" && phase(t, after) !== "gate_closed"),
        );
        assert.deepEqual(
          opensBetween(s, after, now),
          all.filter((t) => phase(t, now) !== "scheduled" && phase(t, after) === "scheduled"),
        );
        const unopened = firstUnopened(s, now);
        assert.ok(all.filter((t) => t >= unopened).every((t) => phase(t, now) === "scheduled"));
        assert.notEqual(phase(unopened - STEP, now), "scheduled");
        const first = firstGateAfter(s, after);
        assert.ok(gateClosesAt(s, first) > after);
        assert.ok(all.filter((t) => t < first).every((t) => gateClosesAt(s, t) <= after));
        // Clearing goes in order: each due interval's gate has closed, the next one's is ahead.
        const due = dueForClearing(s, first, now);
        for (const [i, t] of due.entries()) {
          assert.equal(t, first + i * STEP);
          assert.ok(gateClosesAt(s, t) <= now);
        }
        assert.ok(gateClosesAt(s, first + due.length * STEP) > now);
      },
    ),
    { numRuns: 150 },
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
