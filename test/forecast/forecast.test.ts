/**
 * Forecasting: no model can see the future (corrupting everything after an origin leaves its
 * forecast unchanged, and reading it throws), the learners recover what they should, the
 * GEFCom2014 reader de-accumulates the radiation fields, and on the shipped CityLearn data the
 * regularised linear model beats persistence on the community's load by the margin.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { backtest } from "../../src/forecast/backtest.js";
import { fitGbt, fitRidge, select } from "../../src/forecast/learners.js";
import { fitMlp } from "../../src/forecast/mlp.js";
import { createModel, MODEL_NAMES, type ModelName } from "../../src/forecast/models.js";
import {
  dailyOrigins,
  type ForecastData,
  LeakageError,
  OriginView,
} from "../../src/forecast/problem.js";
import { cityLearnProblem, gefcomProblem } from "../../src/formats/forecastData.js";

/** A synthetic GEFCom2014-format directory: 3 zones, `days` days, accumulated radiation. */
function gefcomFixture(days: number): string {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-gefcom-"));
  const power = ["ZONEID,TIMESTAMP,POWER"];
  const pred = [
    "ZONEID,TIMESTAMP,VAR78,VAR79,VAR134,VAR157,VAR164,VAR165,VAR166,VAR167,VAR169,VAR175,VAR178,VAR228",
  ];
  for (const zone of [1, 2, 3])
    for (let d = 0; d < days; d++) {
      let ssrd = 0;
      let tsr = 0;
      for (let step = 1; step <= 24; step++) {
        const t = new Date(Date.UTC(2012, 3, 1 + d, step));
        const stamp = `${t.getUTCFullYear()}${String(t.getUTCMonth() + 1).padStart(2, "0")}${String(t.getUTCDate()).padStart(2, "0")} ${String(t.getUTCHours()).padStart(2, "0")}:00`;
        const sun =
          Math.max(0, Math.sin((Math.PI * (step + 3)) / 14)) * (step <= 10 || step >= 22 ? 1 : 0);
        const cloud = 0.5 + 0.5 * Math.sin(d * 1.7 + zone);
        ssrd += 3600 * 900 * sun * (1 - 0.6 * cloud);
        tsr += 3600 * 1100 * sun;
        power.push(`${zone},${stamp},${(0.8 * sun * (1 - 0.6 * cloud)).toFixed(4)}`);
        pred.push(
          `${zone},${stamp},0.01,0.02,95000,60,${cloud.toFixed(3)},1,-1,290,${ssrd.toFixed(0)},${(1000 * 3600 * step).toFixed(0)},${tsr.toFixed(0)},0`,
        );
      }
    }
  writeFileSync(join(dir, "power.csv"), `${power.join("\n")}\n`);
  writeFileSync(join(dir, "predictors.csv"), `${pred.join("\n")}\n`);
  return dir;
}

test("GEFCom2014 reader: hour-ending UTC stamps, radiation de-accumulated per run to W/m², runs issued at 00:00", async () => {
  const data = await gefcomProblem(gefcomFixture(3), 2);
  assert.equal(data.target.length, 72);
  assert.equal(data.label(0), "20120401 01:00");
  const nwp = data.nwp;
  assert.ok(nwp);
  const strd = nwp.values[nwp.names.indexOf("strd")] as Float64Array;
  // STRD accumulates 1000 W/m² x 3600 s per step: every hour de-accumulates to 1000 W/m².
  for (let i = 0; i < 72; i++)
    assert.ok(Math.abs((strd[i] as number) - 1000) < 1e-9, `hour ${i}: ${strd[i]}`);
  // Hours 0-23 come from the run issued at hour 0, hours 24-47 from the next.
  assert.equal(nwp.runStart[0], 0);
  assert.equal(nwp.runStart[23], 0);
  assert.equal(nwp.runStart[24], 24);
  assert.deepEqual(dailyOrigins(data), [0, 24, 48]);
});

function corruptedAfter(data: ForecastData, origin: number): ForecastData {
  const target = Float64Array.from(data.target, (v, i) => (i >= origin ? v * 7 + 1e6 : v));
  const nwp = data.nwp
    ? {
        ...data.nwp,
        values: data.nwp.values.map((col) =>
          Float64Array.from(col, (v, i) => ((data.nwp?.runStart[i] ?? 0) > origin ? -v - 999 : v)),
        ),
      }
    : null;
  return { ...data, target, nwp };
}

test("no model sees the future: corrupting every value after an origin leaves its forecast unchanged", async () => {
  const cases: [ForecastData, readonly ModelName[]][] = [
    [
      await cityLearnProblem("load", "community"),
      MODEL_NAMES.filter((m) => m !== "nwp-linear" && m !== "physical"),
    ],
    [await gefcomProblem(gefcomFixture(40), 1), MODEL_NAMES],
  ];
  for (const [data, models] of cases) {
    const origins = dailyOrigins(data).filter((o) => o >= 35 * 24 && o + 24 <= data.target.length);
    for (const origin of [origins[0] as number, origins[origins.length - 1] as number]) {
      const bad = corruptedAfter(data, origin);
      for (const name of models) {
        const clean = createModel(name);
        const dirty = createModel(name);
        clean.fit(new OriginView(data, origin), 24);
        dirty.fit(new OriginView(bad, origin), 24);
        assert.deepEqual(
          dirty.predict(new OriginView(bad, origin), 24),
          clean.predict(new OriginView(data, origin), 24),
          `${data.name}, ${name}, origin ${origin}`,
        );
      }
    }
  }
});

test("reading the target at or after the origin, or weather issued later, throws", async () => {
  const data = await gefcomProblem(gefcomFixture(3), 1);
  const view = new OriginView(data, 24);
  assert.throws(() => view.value(24), LeakageError);
  assert.equal(view.value(23), data.target[23]);
  assert.throws(() => view.nwp(0, 48), LeakageError);
  assert.equal(view.nwp(0, 30), data.nwp?.values[0]?.[30]);
});

test("ridge recovers a linear law; trees fit a step and, with the absolute loss, the median", () => {
  const rows = Array.from({ length: 400 }, (_, i) =>
    Float64Array.from([Math.sin(i), Math.cos(i * 1.3), i % 7]),
  );
  const ridge = fitRidge(
    rows,
    rows.map((r) => 1 + 2 * (r[0] as number) - 3 * (r[1] as number)),
    1e-9,
  );
  for (const r of rows.slice(0, 20))
    assert.ok(
      Math.abs(ridge.predict(r) - (1 + 2 * (r[0] as number) - 3 * (r[1] as number))) < 1e-6,
    );
  const step = rows.map((r) => ((r[0] as number) > 0.2 ? 5 : -1));
  const gbt = fitGbt(rows, step, { rounds: 200, learningRate: 0.2, minLeaf: 5 });
  assert.ok(Math.abs(gbt.predict(Float64Array.from([0.9, 0, 3])) - 5) < 0.2);
  assert.ok(Math.abs(gbt.predict(Float64Array.from([-0.9, 0, 3])) + 1) < 0.2);
  // One wild outlier per ten: the squared loss is pulled, the absolute loss keeps the median.
  const noisy = rows.map((_, i) => (i % 10 === 0 ? 100 : 1));
  const l1 = fitGbt(rows, noisy, { rounds: 300, learningRate: 0.1, loss: "l1" });
  const l2 = fitGbt(rows, noisy, { rounds: 300, learningRate: 0.1 });
  assert.ok(Math.abs(l1.predict(rows[5] as Float64Array) - 1) < 0.05);
  assert.ok(
    l2.predict(rows[5] as Float64Array) > 2,
    "the squared loss is pulled towards the outliers",
  );
});

test("the neural network learns a law no line can, the same way every time, and tolerates missing features", () => {
  // y = |x0| + x1 * x2: neither term is linear in the features.
  const row = (i: number) => Float64Array.from([Math.sin(i), Math.cos(i * 1.3), Math.sin(i * 0.7)]);
  const law = (r: Float64Array) => Math.abs(r[0] as number) + (r[1] as number) * (r[2] as number);
  const rows = Array.from({ length: 3000 }, (_, i) => row(i));
  const y = rows.map(law);
  const held = Array.from({ length: 500 }, (_, i) => row(10_000 + i));
  const mae = (f: (r: Float64Array) => number) =>
    held.reduce((a, r) => a + Math.abs(f(r) - law(r)), 0) / held.length;
  const ridge = fitRidge(rows, y, 1e-6);
  const mlp = fitMlp(rows, y, { epochs: 60 });
  const linear = mae((r) => ridge.predict(r));
  const network = mae((r) => mlp.predict(r));
  assert.ok(network < 0.15 * linear, `network ${network} vs linear ${linear}`);
  const again = fitMlp(rows, y, { epochs: 60 });
  for (const r of held.slice(0, 20)) assert.equal(again.predict(r), mlp.predict(r));
  assert.ok(Number.isFinite(mlp.predict(Float64Array.from([Number.NaN, 0.5, 0.5]))));
});

test("property: quickselect finds the k-th smallest value", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }),
      fc.nat(),
      (xs, k0) => {
        const k = k0 % xs.length;
        const sorted = [...xs].sort((a, b) => a - b);
        assert.equal(select(Float64Array.from(xs), xs.length, k), sorted[k]);
      },
    ),
  );
});

test("CityLearn community load, day-ahead over the last 120 days: ridge beats persistence by at least 0.15, P10-P90 within 75-85 %", async () => {
  const data = await cityLearnProblem("load", "community");
  const origins = dailyOrigins(data);
  const r = backtest(data, {
    models: ["persistence", "ridge"],
    horizon: 24,
    evalStart: origins[origins.length - 120] as number,
  });
  const ridge = r.models.find((m) => m.name === "ridge");
  assert.ok(ridge && ridge.skill >= 0.15, `ridge skill ${ridge?.skill}`);
  assert.ok(
    ridge.coverage_p10_p90 >= 0.75 && ridge.coverage_p10_p90 <= 0.85,
    `coverage ${ridge.coverage_p10_p90}`,
  );
  // Persistence's error, recomputed by hand from the rows the backtest names.
  let abs = 0;
  for (let t = r.firstRow; t <= r.lastRow; t++)
    abs += Math.abs((data.target[t] as number) - (data.target[t - 24] as number));
  const persistence = r.models.find((m) => m.name === "persistence");
  assert.ok(Math.abs((persistence?.mae ?? 0) - abs / (r.lastRow - r.firstRow + 1)) < 1e-9);
});
