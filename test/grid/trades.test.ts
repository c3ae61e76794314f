import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli.js";

const FEEDER = new URL("../../data/ieee-eulv", import.meta.url).pathname;
const TRADES = new URL("../../examples/eulv-trades.csv", import.meta.url).pathname;

test("network-aware trading: PV trades break EN 50160 on the EU LV feeder; the remedy removes every violation", async () => {
  const r = await runCli(["powerflow", "--feeder", FEEDER, "--minute", "720", "--trades", TRADES]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.base.violations, 0);
  assert.ok(
    doc.with_trades.violations > 100,
    `${doc.with_trades.violations} bus-phases over 253 V`,
  );
  assert.ok(doc.with_trades.v_max_volts > 253);
  assert.equal(doc.after_remedy.violations, 0);
  assert.ok(doc.after_remedy.v_max_volts <= 253 + 1e-9);
  assert.ok(
    doc.curtailed.length > 0 && doc.curtailed.length < doc.trades,
    "some trades kept whole",
  );
  for (const c of doc.curtailed) {
    assert.ok(c.kwh_after < c.kwh_before && c.kwh_after >= 0);
    assert.match(
      c.reason,
      /bus \S+ phase [ABC] at [\d.]+ V, above 253 V; this trade moves it [\d.]+ V per kW/,
    );
  }
  const cut = doc.curtailed.reduce(
    (a: number, c: { kwh_before: number; kwh_after: number }) => a + c.kwh_before - c.kwh_after,
    0,
  );
  assert.ok(Math.abs(cut - doc.curtailed_kwh) < 1e-3);
  assert.ok(doc.curtailed_kwh < doc.traded_kwh, "the remedy keeps part of the trade");

  const none = await runCli([
    "powerflow",
    "--feeder",
    FEEDER,
    "--minute",
    "720",
    "--trades",
    TRADES,
    "--no-remedy",
  ]);
  const noRemedy = JSON.parse(none.stdout);
  assert.deepEqual(noRemedy.after_remedy, noRemedy.with_trades);
  assert.deepEqual(noRemedy.curtailed, []);
});

test("network-aware trading: a trade by someone not on the feeder is refused with file, line and field", async () => {
  const bad = join(mkdtempSync(join(tmpdir(), "gridshare-trades-")), "t.csv");
  writeFileSync(bad, readFileSync(TRADES, "utf8").replace("t03,LOAD35", "t03,LOAD99"));
  const r = await runCli(["powerflow", "--feeder", FEEDER, "--minute", "720", "--trades", bad]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /t\.csv, line 4, field seller: expected a load of the feeder \(LOAD1 to LOAD55\), received "LOAD99"/,
  );
});
