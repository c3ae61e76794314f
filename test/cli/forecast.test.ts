import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli.js";

test("forecast backtest --json: the published shape, persistence's skill 0, the period as rows and times", async () => {
  const r = await runCli([
    "forecast",
    "backtest",
    "--dataset",
    "citylearn",
    "--target",
    "pv",
    "--scope",
    "Building_3",
    "--models",
    "persistence,climatology,ridge",
    "--train-days",
    "300",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(doc), [
    "target",
    "scope",
    "dataset",
    "horizon_hours",
    "period",
    "models",
  ]);
  assert.equal(doc.target, "pv");
  assert.equal(doc.scope, "Building_3");
  assert.equal(doc.horizon_hours, 24);
  assert.deepEqual(Object.keys(doc.period), ["start", "end", "first_row", "last_row"]);
  assert.equal(
    doc.period.first_row,
    300 * 24 + 1,
    "the first local midnight after 300 days (row 0 is 23:00)",
  );
  assert.equal(doc.period.start, "2017-05-28T08:00:00Z");
  assert.deepEqual(
    doc.models.map((m: { name: string }) => m.name),
    ["persistence", "climatology", "ridge"],
  );
  assert.equal(doc.models[0].skill, 0);
  for (const m of doc.models)
    for (const k of ["mae", "rmse", "nmae", "skill", "pinball", "coverage_p10_p90"])
      assert.equal(typeof m[k], "number");
});

/** A GEFCom2014-shaped directory whose power file has a timestamp in another format on line 3. */
function badStamps(): string {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-gefcom-"));
  writeFileSync(
    join(dir, "power.csv"),
    "ZONEID,TIMESTAMP,POWER\n1,20120401 01:00,0.7\n1,2012-04-01 02:00,0.5\n",
  );
  writeFileSync(
    join(dir, "predictors.csv"),
    "ZONEID,TIMESTAMP,VAR78,VAR79,VAR134,VAR157,VAR164,VAR165,VAR166,VAR167,VAR169,VAR175,VAR178,VAR228\n",
  );
  return dir;
}

test("forecast backtest: bad input says what to change, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--target", "wind"], /CityLearn has no wind turbines/],
    [["--target", "heat"], /--target: expected one of pv, load, price/],
    [["--target", "load", "--models", "persistence,prophet"], /--models: unknown model "prophet"/],
    [["--target", "load", "--horizon", "9000"], /--horizon: 9000 h is longer than the data allows/],
    [
      ["--target", "load", "--train-days", "400"],
      /--train-days: 400 days of training leave no test data/,
    ],
    [
      ["--target", "load", "--scope", "Building_99"],
      /--scope: expected community or a CityLearn home/,
    ],
    [
      ["--dataset", "gefcom2014", "--target", "pv", "--scope", "zone:1"],
      /--data <dir>: required with --dataset gefcom2014/,
    ],
    [
      ["--dataset", "gefcom2014", "--data", "/nonexistent", "--target", "pv", "--scope", "zone:1"],
      /cannot read .*power\.csv/,
    ],
    [
      ["--dataset", "gefcom2014", "--data", badStamps(), "--target", "pv", "--scope", "zone:1"],
      /power\.csv, line 3, column TIMESTAMP: expected YYYYMMDD HH:MM \(UTC\), received "2012-04-01 02:00"/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(["forecast", "backtest", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test("behavior: without TensorFlow.js (an optional dependency) mlp leaves the default models, and asking for it says how to add it", () => {
  const bin = new URL("../../bin/gridshare.js", import.meta.url).pathname;
  const hide = new URL("../support/withoutTensorflow.cjs", import.meta.url).pathname;
  const run = (args: string[]) =>
    spawnSync(process.execPath, ["--require", hide, bin, "forecast", "backtest", ...args], {
      encoding: "utf8",
      env: { ...process.env, GRIDSHARE_DEBUG: "" },
    });
  const base = ["--target", "load", "--scope", "community", "--train-days", "300"];
  const all = run([...base, "--json"]);
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stderr, /note: mlp left out: TensorFlow\.js is not installed/);
  const names = (JSON.parse(all.stdout) as { models: { name: string }[] }).models.map(
    (m) => m.name,
  );
  assert.ok(names.includes("gbt") && !names.includes("mlp"), names.join(", "));
  const asked = run([...base, "--models", "persistence,mlp"]);
  assert.equal(asked.status, 2);
  assert.match(
    asked.stderr,
    /--models: mlp: the mlp model needs TensorFlow\.js, which is not installed: npm install @tensorflow\/tfjs/,
  );
  assert.equal(asked.stdout, "");
});
