import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadCsvSeries } from "./seriesCsv.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-csv-"));
function csv(name: string, text: string) {
  writeFileSync(join(dir, name), text);
  return { csv: name, column: "kw", unit: "kW" };
}

test("default: a CSV series in kW becomes kWh per interval; naive times read in the given zone", async () => {
  const s = await loadCsvSeries(
    csv("ok.csv", "time,kw\n2026-06-01 00:00,2\n2026-06-01 00:15,4\n2026-06-01 00:30,0\n"),
    dir,
    "load",
    "Europe/Berlin",
  );
  assert.equal(s.stepMinutes, 15);
  assert.equal(s.startMs, Date.UTC(2026, 4, 31, 22));
  assert.deepEqual(Array.from(s.values), [0.5, 1, 0]);
  const wh = await loadCsvSeries({ csv: "ok.csv", column: "kw", unit: "Wh" }, dir, "load", "UTC");
  assert.deepEqual(Array.from(wh.values), [0.002, 0.004, 0]);
});

test("error: gaps, duplicates, out-of-order rows and unreadable times are reported, not filled", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "gap.csv",
      "timestamp,kw\n2026-06-01T00:00Z,1\n2026-06-01T01:00Z,1\n2026-06-01T04:00Z,1\n2026-06-01T05:00Z,1\n",
      /gap\.csv: .*gap of 2 interval\(s\) before line 4 \(2026-06-01T04:00:00Z\)/,
    ],
    [
      "dup.csv",
      "timestamp,kw\n2026-06-01T00:00Z,1\n2026-06-01T01:00Z,1\n2026-06-01T01:00Z,2\n2026-06-01T02:00Z,1\n",
      /duplicate timestamp at line 4/,
    ],
    [
      "order.csv",
      "timestamp,kw\n2026-06-01T00:00Z,1\n2026-06-01T01:00Z,1\n2026-06-01T02:00Z,1\n2026-06-01T01:30Z,2\n2026-06-01T02:30Z,1\n",
      /out-of-order timestamp at line 5/,
    ],
    [
      "time.csv",
      "timestamp,kw\n2026-06-01T00:00Z,1\nyesterday,1\n",
      /time\.csv, line 3: unreadable timestamp "yesterday"/,
    ],
    [
      "value.csv",
      "timestamp,kw\n2026-06-01T00:00Z,1\n2026-06-01T01:00Z,lots\n",
      /value\.csv, line 3, column "kw": expected a number, received "lots"/,
    ],
    [
      "skipped.csv",
      "timestamp,kw\n2026-03-29 01:30,1\n2026-03-29 02:30,1\n",
      /skipped\.csv, line 3: unreadable timestamp .*daylight saving skips/,
    ],
  ];
  for (const [name, text, message] of cases) {
    await assert.rejects(
      loadCsvSeries(csv(name, text), dir, "members[0].load", "Europe/Berlin"),
      message,
      name,
    );
  }
  await assert.rejects(
    loadCsvSeries({ csv: "missing.csv", column: "kw", unit: "kW" }, dir, "members[0].load", "UTC"),
    /members\[0\]\.load\.csv: cannot read missing\.csv/,
  );
});
