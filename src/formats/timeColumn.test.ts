import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { localParts, localToUtc } from "../core/timeZone.js";
import { parseStamp, regularStepMs, StampReader } from "./timeColumn.js";

const Z = (iso: string) => Date.parse(iso);

test("stamps: Z, offsets with and without a colon, fractions, naive local time", () => {
  const r = new StampReader("Europe/Berlin", "unreadable");
  assert.equal(r.read("2021-01-10T12:00:00Z"), Z("2021-01-10T12:00:00Z"));
  assert.equal(r.read("2021-01-10 12:00:00.250Z"), Z("2021-01-10T12:00:00.250Z"));
  assert.equal(r.read("2021-01-10T12:00+05:30"), Z("2021-01-10T06:30:00Z"));
  assert.equal(r.read("2021-01-10T12:00-0300"), Z("2021-01-10T15:00:00Z"));
  assert.equal(r.read("2021-01-10 12:00"), Z("2021-01-10T11:00:00Z"));
  assert.equal(r.read("2021-07-10 12:00"), Z("2021-07-10T10:00:00Z"));
  for (const bad of ["2021-02-29 00:00", "2021-01-10 24:00", "yesterday", "2021-01-10T12:00:00.Z"])
    assert.ok(Number.isNaN(r.read(bad)), bad);
});

test("stamps: a time daylight saving skips is unreadable, or read on the clock before", () => {
  // Europe/Berlin springs forward at 02:00 on 28 March 2021 (to 03:00).
  assert.equal(parseStamp("2021-03-28 02:30", "Europe/Berlin"), undefined);
  const meter = new StampReader("Europe/Berlin", "clock-before");
  assert.equal(meter.read("2021-03-28 02:30"), Z("2021-03-28T01:30:00Z"));
  assert.equal(meter.read("2021-03-28 03:00"), Z("2021-03-28T01:00:00Z"));
});

test("stamps: a half-hour clock change inside an hour is read minute by minute", () => {
  // Lord Howe Island moves from +10:30 to +11:00 at 02:00 local on 3 October 2021.
  const r = new StampReader("Australia/Lord_Howe", "unreadable");
  assert.ok(Number.isNaN(r.read("2021-10-03 02:15")));
  assert.equal(r.read("2021-10-03 02:45"), Z("2021-10-02T15:45:00Z"));
  assert.equal(r.read("2021-10-03 01:45"), Z("2021-10-02T15:15:00Z"));
  // The Chatham Islands move from +12:45 to +13:45 at 02:45 local on 26 September 2021.
  const c = new StampReader("Pacific/Chatham", "unreadable");
  assert.equal(c.read("2021-09-26 02:30"), Z("2021-09-25T13:45:00Z"));
  assert.ok(Number.isNaN(c.read("2021-09-26 02:50")));
  assert.equal(c.read("2021-09-26 03:50"), Z("2021-09-25T14:05:00Z"));
});

test("property: the fast reader agrees with the zone database, stamp by stamp", () => {
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Etc/GMT+8",
  ];
  const readers = new Map(zones.map((z) => [z, new StampReader(z, "unreadable")]));
  const pad = (n: number) => String(n).padStart(2, "0");
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.integer({
        min: Z("2020-01-01T00:00:00Z") / 60_000,
        max: Z("2023-01-01T00:00:00Z") / 60_000,
      }),
      (zone, minute) => {
        const p = localParts(minute * 60_000, zone);
        const text = `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
        const expected = localToUtc(p, zone);
        assert.equal((readers.get(zone) as StampReader).read(text), expected, `${zone} ${text}`);
      },
    ),
    { numRuns: 3000 },
  );
});

test("regular step: gaps, duplicates and disorder are reported by line, never filled", () => {
  const table = { file: "x.csv", lines: Int32Array.from([2, 3, 4, 5, 6]) };
  const at = (...h: number[]) => Float64Array.from(h.map((x) => x * 3_600_000));
  assert.equal(regularStepMs(at(0, 1, 2, 3, 4), table), 3_600_000);
  assert.throws(
    () => regularStepMs(at(0, 1, 1, 3, 4), table),
    /x\.csv: the series is not regular at 60-minute resolution: duplicate timestamp at line 4 .*gap of 1 interval\(s\) before line 5/,
  );
  assert.throws(() => regularStepMs(at(0), table), /need at least two rows/);
});
