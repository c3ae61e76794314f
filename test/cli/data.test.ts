import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { putNumber } from "../../src/formats/cleanedSeries.js";
import { runCli } from "../support/cli.js";

const data = (p: string) => new URL(`../../data/${p}`, import.meta.url).pathname;
const OPSD = data("opsd-household/household_data_60min_singleindex_2017release_residential4.csv");
const dir = mkdtempSync(join(tmpdir(), "gridshare-data-"));

test("data check: OPSD's PV counter, the report and the cleaned series with flags", async () => {
  const out = join(dir, "pv.csv");
  const r = await runCli([
    "data",
    "check",
    OPSD,
    "--time-column",
    "utc_timestamp",
    "--column",
    "DE_KN_residential4_pv",
    "--kind",
    "cumulative",
    "--out",
    out,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.step_minutes, 60);
  assert.equal(doc.rows, 11_867);
  assert.ok(doc.counts.jump_after_gap >= 1 && doc.counts.gap >= 1);
  const big = doc.findings.find((f: { detail: string }) => f.detail.includes("83.174"));
  assert.equal(big.kind, "jump_after_gap");
  assert.equal(big.from, "2016-04-22T15:00:00Z");
  const lines = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(lines[0], "time,raw,value,flag,finding");
  assert.equal(lines.length - 1, doc.slots);
  // The raw counter reading is kept next to the interval energy.
  const row = lines.find((l) => l.startsWith("2016-04-24T21:00:00Z"))?.split(",");
  assert.ok(row);
  assert.equal(row[3], "spread");
  assert.equal(row[4], "jump_after_gap");
});

test("data check: Ausgrid on Sydney's clock names the two clock-change days, with their lines", async () => {
  const r = await runCli([
    "data",
    "check",
    data("ausgrid-solar-home/customer12_2011-2012.csv"),
    "--column",
    "GC",
    "--time-zone",
    "Australia/Sydney",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /findings: .*dst 2/);
  assert.match(r.stdout, /dst .* 4466 +clocks change on 2011-10-02 but the file has 48 rows/);
});

test("data check: a duplicate and an unreadable time are reported by line", async () => {
  const file = join(dir, "small.csv");
  const rows = ["time,kw"];
  for (let h = 0; h < 48; h++)
    rows.push(`2026-01-01T${String(h % 24).padStart(2, "0")}:00:00Z,1.${h}`);
  rows[30] = "2026-01-01Tnoon,1.0";
  rows.splice(5, 0, rows[5] as string);
  writeFileSync(file, `${rows.slice(0, 25).join("\n")}\n`);
  const r = await runCli(["data", "check", file, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(
    doc.findings.map((f: { kind: string; line: number }) => [f.kind, f.line]),
    [["duplicate", 7]],
  );
  writeFileSync(file, `${rows.join("\n")}\n`);
  const r2 = await runCli(["data", "check", file, "--json"]);
  const kinds = JSON.parse(r2.stdout).findings.map((f: { kind: string }) => f.kind);
  assert.ok(kinds.includes("unreadable_time"));
});

test("data check: bad input names what is wrong and writes nothing", async () => {
  const out = join(dir, "never.csv");
  const noColumn = await runCli([
    "data",
    "check",
    data("ausgrid-solar-home/customer12_2011-2012.csv"),
    "--out",
    out,
  ]);
  assert.equal(noColumn.code, 2);
  assert.match(noColumn.stderr, /--column is needed .*"GC", "GG"/);
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "time,kw\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,one\n");
  const r = await runCli(["data", "check", bad, "--out", out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.csv, line 3, column "kw": expected a number, received "one"/);
  const zone = await runCli(["data", "check", bad, "--time-zone", "Mars/Olympus"]);
  assert.equal(zone.code, 2);
  assert.match(zone.stderr, /--time-zone: unknown IANA time zone/);
  assert.equal((await runCli(["data", "check", join(dir, "none.csv")])).code, 2);
  assert.equal(existsSync(out), false);
});

test("property: the cleaned series writes numbers exactly as String() of the 6-decimal rounding", () => {
  const buf = Buffer.alloc(64);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: -1000, max: 1000 }).map((k) => k / 1000),
        fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        // Negative halves at the sixth decimal (found by this property on a fresh clone).
        fc.integer({ min: -1e9, max: 0 }).map((k) => k / 1e6 - 5e-7),
      ),
      (x) => {
        const end = putNumber(buf, 0, x);
        const expected = String(Math.round(x * 1e6) / 1e6);
        assert.equal(buf.toString("latin1", 0, end), expected === "-0" ? "0" : expected);
      },
    ),
    { numRuns: 2000, examples: [[-352401335.7918785]] },
  );
});

test("a cleaned file feeds the simulation; trades on estimated readings say so in the ledger export", async () => {
  // One week of the Ausgrid home's consumption with three holes punched in it.
  const src = readFileSync(data("ausgrid-solar-home/customer12_2011-2012.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1, 1 + 7 * 48);
  // Daytime holes (when the neighbour's PV is on offer): 4.5 h, 1.5 h and 5.5 h long.
  const holes = new Set([
    ...Array.from({ length: 9 }, (_, k) => 20 + k),
    ...Array.from({ length: 3 }, (_, k) => 115 + k),
    ...Array.from({ length: 11 }, (_, k) => 260 + k),
  ]);
  const rows = src
    .filter((_, i) => !holes.has(i))
    .map((line) => {
      const [time, gc] = line.split(",");
      return `${(time as string).replace(" ", "T")}+10:00,${gc}`;
    });
  const raw = join(dir, "home-raw.csv");
  const clean = join(dir, "home-clean.csv");
  writeFileSync(raw, `time,kwh\n${rows.join("\n")}\n`);
  assert.equal((await runCli(["data", "check", raw, "--out", clean])).code, 0);
  const scenario = join(dir, "estimated.json");
  writeFileSync(
    scenario,
    JSON.stringify({
      name: "A home on cleaned data next to the Ausgrid home",
      period: { start: "2011-07-01T00:00:00+10:00", days: 7 },
      time_zone: "Etc/GMT-10",
      seed: 1,
      members: [
        { id: "cleaned", load: { csv: "home-clean.csv", column: "value", unit: "kWh" } },
        {
          id: "solar",
          load: { dataset: "ausgrid" },
          load_scale: 0.2,
          pv: { kwp: 5, profile: { dataset: "ausgrid" } },
        },
      ],
      tariff: { currency: "AUD", import: { flat: 0.3 }, export_per_kwh: 0.05 },
      market: { mechanism: "uniform", interval_minutes: 30 },
      ledger: true,
    }),
  );
  const out = join(dir, "estimated-run");
  const sim = await runCli(["simulate", scenario, "--out", out]);
  assert.equal(sim.code, 0, sim.stderr);
  const verify = await runCli(["ledger", "verify", join(out, "ledger")]);
  assert.equal(verify.code, 0, verify.stderr);
  const exported = await runCli(["ledger", "export", join(out, "ledger"), "--format", "json"]);
  const trades = JSON.parse(exported.stdout) as {
    buyer: string;
    timestamp: string;
    data_quality: string;
  }[];
  const estimatedTimes = new Set(
    readFileSync(clean, "utf8")
      .split("\n")
      .filter((l) => /,(interpolated|profile),/.test(l))
      .map((l) => l.slice(0, 20)),
  );
  assert.equal(estimatedTimes.size, 23);
  let estimated = 0;
  for (const t of trades) {
    const expected =
      t.buyer === "cleaned" && estimatedTimes.has(t.timestamp) ? "estimated" : "measured";
    assert.equal(t.data_quality, expected, `${t.timestamp} ${t.buyer}`);
    if (expected === "estimated") estimated++;
  }
  assert.ok(estimated >= 10 && estimated < trades.length, `${estimated} of ${trades.length}`);
});

test("the installed binary stops quietly when its reader closes the pipe early (| head)", async () => {
  const bin = new URL("../../bin/gridshare.js", import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      bin,
      "data",
      "check",
      OPSD,
      "--time-column",
      "utc_timestamp",
      "--column",
      "DE_KN_residential4_freezer",
      "--kind",
      "cumulative",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (b) => (stderr += b));
  // Read the first chunk, then close the pipe as `head -1` would.
  await new Promise<void>((done) => child.stdout.once("data", () => done()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  assert.equal(code, 0);
});
