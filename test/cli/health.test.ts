import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadCityLearn } from "../../src/formats/datasets.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-health-"));

test("health pv --json: every CityLearn system by its own name, the faulty ones with cause and evidence", async () => {
  const r = await runCli(["health", "pv", "--dataset", "citylearn", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.systems.length, 17);
  for (const s of doc.systems)
    for (const key of [
      "id",
      "flagged",
      "cause",
      "expected_kwh",
      "measured_kwh",
      "confidence",
      "days_affected",
    ])
      assert.ok(key in s, `${s.id} lacks ${key}`);
  const b15 = doc.systems.find((s: { id: string }) => s.id === "Building_15");
  assert.equal(b15.cause, "outage");
  assert.ok(b15.expected_kwh > 5000 && b15.measured_kwh < 10);
  const b3 = doc.systems.find((s: { id: string }) => s.id === "Building_3");
  assert.deepEqual([b3.flagged, b3.cause, b3.days_affected], [false, null, []]);
});

test("health pv --dataset csv: a community from a CSV, with a derated system found", async () => {
  const cl = await loadCityLearn();
  const ids = [
    "Building_2",
    "Building_3",
    "Building_4",
    "Building_9",
    "Building_10",
    "Building_13",
  ];
  const lines = ["time,".concat(ids.join(","))];
  const start = Date.UTC(2016, 7, 1, 8);
  for (let h = 1; h < 8760; h++) {
    const cells = ids.map((id) => {
      const home = cl.homes.get(id);
      const kwh =
        (home?.pvPerKwp.values[h] ?? 0) * 4 * (id === "Building_9" && h > 4000 ? 0.75 : 1);
      return kwh.toFixed(4);
    });
    lines.push(
      `${new Date(start + (h - 1) * 3_600_000).toISOString().slice(0, 19)}Z,${cells.join(",")}`,
    );
  }
  const data = join(dir, "pv.csv");
  const kwp = join(dir, "kwp.json");
  writeFileSync(data, `${lines.join("\n")}\n`);
  writeFileSync(kwp, JSON.stringify(Object.fromEntries(ids.map((id) => [id, 4]))));
  const r = await runCli([
    "health",
    "pv",
    "--dataset",
    "csv",
    "--data",
    data,
    "--kwp",
    kwp,
    "--utc-offset",
    "-8",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const flagged = JSON.parse(r.stdout).systems.filter((s: { flagged: boolean }) => s.flagged);
  assert.deepEqual(
    flagged.map((s: { id: string; cause: string }) => [s.id, s.cause]),
    [["Building_9", "derate"]],
  );
  assert.ok(
    flagged[0].days_affected[0] >= "2017-01-16" && flagged[0].days_affected[0] <= "2017-01-19",
  );

  writeFileSync(kwp, JSON.stringify({ Building_2: 4 }));
  const bad = await runCli(["health", "pv", "--dataset", "csv", "--data", data, "--kwp", kwp]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /kwp\.json: expected a kWp above 0 for "Building_3"/);
  const none = await runCli(["health", "pv", "--dataset", "nasa"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--dataset: expected citylearn or csv/);
});

test("health battery --json: the published shape, trained on the first half", async () => {
  const data = new URL("../../data/nasa-battery/B0005.csv", import.meta.url).pathname;
  const r = await runCli(["health", "battery", "--data", data, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.train_cycles, 84);
  assert.equal(doc.actual_eol_cycle, 125);
  assert.ok(doc.interval[0] <= doc.actual_eol_cycle && doc.actual_eol_cycle <= doc.interval[1]);
  assert.equal(typeof doc.model, "string");
});
