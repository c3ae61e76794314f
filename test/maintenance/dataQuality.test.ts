/**
 * Meter-data quality on real series: the clean data sets raise no findings of the kinds a fault
 * would; known faults injected at seeded random places are found with precision and recall of
 * at least 0.9 per kind; estimates keep the raw values and a counter's energy.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { createRng } from "../../src/core/rng.js";
import { readMeterSeries } from "../../src/formats/meterFile.js";
import {
  checkSeries,
  type FindingKind,
  type SeriesKind,
} from "../../src/maintenance/dataQuality.js";
import { type FaultKind, inject, type Rows, score, seriesScale } from "../support/faults.js";

const DATA = new URL("../../data/", import.meta.url);

function series(
  file: string,
  column: string,
  options: { timeColumn?: string; timeZone?: string; startMs?: number } = {},
) {
  return readMeterSeries(readFileSync(new URL(file, DATA), "utf8"), file, {
    column,
    timeZone: "UTC",
    ...options,
  });
}

const CITYLEARN_START = Date.UTC(2016, 7, 1, 7);
const OPSD = "opsd-household/household_data_60min_singleindex_2017release_residential4.csv";

interface Case {
  readonly name: string;
  readonly kind: SeriesKind;
  readonly rows: Rows;
  readonly stepMs: number;
  readonly faults: readonly FaultKind[];
}

function rowsOf(s: { times: Float64Array; values: Float64Array }): Rows {
  return { times: Array.from(s.times), values: Array.from(s.values) };
}

const CASES: Case[] = [
  {
    name: "Ausgrid consumption (30 min)",
    kind: "load",
    rows: rowsOf(
      series("ausgrid-solar-home/customer12_2011-2012.csv", "GC", { timeZone: "Etc/GMT-10" }),
    ),
    stepMs: 1_800_000,
    faults: ["gap", "duplicate", "out_of_order", "spike", "stuck", "negative", "over_limit"],
  },
  {
    name: "Ausgrid PV (30 min)",
    kind: "pv",
    rows: rowsOf(
      series("ausgrid-solar-home/customer12_2011-2012.csv", "GG", { timeZone: "Etc/GMT-10" }),
    ),
    stepMs: 1_800_000,
    faults: ["gap", "spike", "stuck", "night_pv", "over_limit"],
  },
  {
    name: "CityLearn Building_1 load (hourly)",
    kind: "load",
    rows: rowsOf(
      series("citylearn-2022/Building_1.csv", "non_shiftable_load", { startMs: CITYLEARN_START }),
    ),
    stepMs: 3_600_000,
    faults: ["gap", "spike", "stuck", "negative", "over_limit"],
  },
  {
    name: "CityLearn Building_1 PV (hourly)",
    kind: "pv",
    rows: rowsOf(
      series("citylearn-2022/Building_1.csv", "solar_generation", { startMs: CITYLEARN_START }),
    ),
    stepMs: 3_600_000,
    faults: ["gap", "spike", "stuck", "night_pv"],
  },
  {
    name: "OPSD grid import counter (hourly)",
    kind: "cumulative",
    rows: rowsOf(series(OPSD, "DE_KN_residential4_grid_import", { timeColumn: "utc_timestamp" })),
    stepMs: 3_600_000,
    faults: ["gap", "duplicate", "spike", "reset"],
  },
  {
    name: "OPSD PV counter (hourly)",
    kind: "cumulative",
    rows: rowsOf(series(OPSD, "DE_KN_residential4_pv", { timeColumn: "utc_timestamp" })),
    stepMs: 3_600_000,
    faults: ["gap", "spike", "reset"],
  },
];

function check(c: Case, rows: Rows, limit?: number) {
  return checkSeries({
    times: Float64Array.from(rows.times),
    values: Float64Array.from(rows.values),
    kind: c.kind,
    limit,
  });
}

/** The kinds a fault would raise; the clean real series must raise none of them. */
const FAULT_FINDINGS: readonly FindingKind[] = [
  "duplicate",
  "out_of_order",
  "spike",
  "stuck",
  "negative",
  "night_pv",
  "over_limit",
  "reset",
];

for (const c of CASES) {
  test(`${c.name}: the clean series raises no fault findings`, () => {
    const r = check(c, c.rows);
    const faults = r.findings.filter((f) => FAULT_FINDINGS.includes(f.kind));
    assert.deepEqual(
      faults.map((f) => `${f.kind} ${new Date(f.fromMs).toISOString()}: ${f.detail}`),
      [],
    );
  });

  for (const fault of c.faults) {
    test(`${c.name}: 20 injected ${fault} faults found with precision and recall >= 0.9`, () => {
      const limit = c.kind === "cumulative" ? undefined : 1.5 * seriesScale(c.rows.values).max;
      const baseline = check(c, c.rows, limit).findings;
      const rng = createRng(2026).fork(`${c.name}/${fault}`);
      const { rows, events } = inject(c.rows, fault, 20, rng, c.stepMs, limit);
      const found = check(c, rows, limit).findings;
      const s = score(fault, found, baseline, events, c.stepMs);
      assert.ok(s.recall >= 0.9, `recall ${s.recall} (${s.events} injected)`);
      assert.ok(s.precision >= 0.9, `precision ${s.precision} (${s.found} found)`);
    });
  }
}

test("Ausgrid read on Sydney's clock: both clock-change days have 48 rows, named as DST errors", () => {
  const s = series("ausgrid-solar-home/customer12_2011-2012.csv", "GC", {
    timeZone: "Australia/Sydney",
  });
  const r = checkSeries({ ...s, kind: "load" });
  const dst = r.findings.filter((f) => f.kind === "dst");
  assert.deepEqual(
    dst.map((f) => f.detail.slice(0, 31)),
    ["clocks change on 2011-10-02 but", "clocks change on 2012-04-01 but"],
  );
  // Read as standard time all year (what the loader does), the file is clean.
  const fixed = series("ausgrid-solar-home/customer12_2011-2012.csv", "GC", {
    timeZone: "Etc/GMT-10",
  });
  assert.deepEqual(checkSeries({ ...fixed, kind: "load" }).findings, []);
});

test("a file on Berlin's clock with 23- and 25-hour days raises no DST finding", () => {
  const times: string[] = [];
  for (let t = Date.UTC(2016, 2, 20); t < Date.UTC(2016, 10, 5); t += 3_600_000) {
    const local = new Date(
      t + (t >= Date.UTC(2016, 2, 27, 1) && t < Date.UTC(2016, 9, 30, 1) ? 2 : 1) * 3_600_000,
    );
    const off = t >= Date.UTC(2016, 2, 27, 1) && t < Date.UTC(2016, 9, 30, 1) ? "+02:00" : "+01:00";
    times.push(`${local.toISOString().slice(0, 19)}${off}`);
  }
  const text = `time,kw\n${times.map((t, i) => `${t},${(1 + Math.sin(i / 3)).toFixed(3)}`).join("\n")}\n`;
  const s = readMeterSeries(text, "berlin.csv", { timeZone: "Europe/Berlin" });
  const r = checkSeries({ ...s, kind: "load" });
  assert.deepEqual(r.findings, []);
  assert.ok(s.dstDates?.has("2016-03-27") && s.dstDates.has("2016-10-30"));
});

test("OPSD's PV counter: the +83 kWh jump across the 54-hour gap of April 2016 is spread, not settled in one hour", () => {
  const s = series(OPSD, "DE_KN_residential4_pv", { timeColumn: "utc_timestamp" });
  const r = checkSeries({ ...s, kind: "cumulative" });
  const jump = r.findings.find((f) => f.kind === "jump_after_gap" && f.detail.includes("83.174"));
  assert.ok(jump, "the April 2016 jump is reported");
  assert.equal(new Date(jump.fromMs).toISOString(), "2016-04-22T15:00:00.000Z");
  // The energy over the gap equals the counter's rise, and no single hour takes it all.
  let sum = 0;
  let peak = 0;
  for (let k = 0; k < r.times.length; k++)
    if ((r.times[k] as number) >= jump.fromMs && (r.times[k] as number) <= jump.toMs) {
      sum += r.value[k] as number;
      peak = Math.max(peak, r.value[k] as number);
      assert.equal(r.flags[k], "spread");
    }
  assert.ok(Math.abs(sum - 83.174) < 1e-6, `spread ${sum}`);
  assert.ok(peak < 10, `largest hour ${peak} kWh`);
  // OPSD's own interpolated rows are flagged as such.
  assert.ok(r.flags.includes("source_filled"));
});

test("estimates never replace a kept reading, and every estimate is flagged", () => {
  const c = CASES[0] as Case;
  const { rows } = inject(c.rows, "gap", 30, createRng(7), c.stepMs);
  const r = check(c, rows);
  for (let s = 0; s < r.times.length; s++) {
    if (r.flags[s] === "measured") assert.equal(r.value[s], r.raw[s]);
    else assert.ok(["interpolated", "profile", "missing"].includes(r.flags[s] as string));
    if (Number.isNaN(r.raw[s] as number)) assert.notEqual(r.flags[s], "measured");
  }
  // Short gaps were interpolated, long ones filled from the profile.
  assert.ok(r.flags.includes("interpolated") && r.flags.includes("profile"));
});

test("property: a counter's cleaned energy adds up to its rise, whatever readings are missing", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 30, maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (steps, drops) => {
        const values = [100];
        for (const d of steps) values.push((values[values.length - 1] as number) + d);
        const keep = values.map(() => true);
        for (const d of drops) keep[1 + (d % (values.length - 2))] = false;
        const times = values.map((_, i) => i * 3_600_000).filter((_, i) => keep[i]);
        const kept = values.filter((_, i) => keep[i]);
        const r = checkSeries({
          times: Float64Array.from(times),
          values: Float64Array.from(kept),
          kind: "cumulative",
        });
        let total = 0;
        for (let s = 1; s < r.value.length; s++) total += r.value[s] as number;
        const rise = (kept[kept.length - 1] as number) - (kept[0] as number);
        // Counter spikes are judged on the readings themselves; a monotone counter has none.
        assert.deepEqual(
          r.findings.filter((f) => f.kind === "spike" || f.kind === "reset"),
          [],
        );
        assert.ok(Math.abs(total - rise) < 1e-6 * Math.max(1, rise), `${total} vs ${rise}`);
      },
    ),
    { numRuns: 200 },
  );
});
