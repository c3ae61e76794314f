/**
 * PV health on the CityLearn 2022 community: what the real data shows (two dead or missing
 * systems, one with a wrong kWp on record), no flag on the 14 healthy systems, and known faults
 * injected into healthy systems at seeded random places found with the right cause, with
 * precision and recall of at least 0.9 per kind.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRng, type Rng } from "../../src/core/rng.js";
import { CITYLEARN_START_MS, loadCityLearn } from "../../src/data/datasets.js";
import { assessPv, type PvCause, type PvSystemInput } from "../../src/maintenance/pvHealth.js";

const cl = await loadCityLearn();
const SYSTEMS: PvSystemInput[] = [...cl.homes.values()].map((h) => ({
  id: h.id,
  kwp: h.pvKwp,
  energyKwh: h.pvPerKwp.values.map((v) => v * h.pvKwp),
}));
const OPTIONS = { utcOffsetHours: -8 };
const clean = assessPv(SYSTEMS, CITYLEARN_START_MS, OPTIONS);
const HEALTHY = clean.filter((v) => !v.flagged).map((v) => v.id);

test("the real community: Building_15 dead, Building_7 out 8 days, Building_14's kWp wrong; the rest healthy", () => {
  const flagged = Object.fromEntries(clean.filter((v) => v.flagged).map((v) => [v.id, v]));
  assert.deepEqual(Object.keys(flagged).sort(), ["Building_14", "Building_15", "Building_7"]);
  assert.equal(flagged.Building_15?.cause, "outage");
  assert.ok((flagged.Building_15?.daysAffected.length ?? 0) > 250);
  assert.equal(flagged.Building_7?.cause, "outage");
  assert.equal(flagged.Building_7?.daysAffected.length, 8);
  assert.equal(flagged.Building_7?.measuredKwh, 0);
  assert.equal(flagged.Building_14?.cause, "wrong_kwp");
  assert.ok(Math.abs((flagged.Building_14?.ratio ?? 0) - 0.35) < 0.02);
  assert.equal(HEALTHY.length, 14);
});

const HOUR = 24;

/** A copy of one system with a fault injected; returns the copy and what was done. */
function inject(sys: PvSystemInput, cause: PvCause, rng: Rng): PvSystemInput {
  const e = Float64Array.from(sys.energyKwh);
  const days = Math.floor(e.length / HOUR);
  const scaleDays = (from: number, to: number, factor: (d: number, h: number) => number) => {
    for (let d = from; d < to; d++)
      for (let h = 0; h < HOUR; h++) {
        const i = d * HOUR + h;
        if (i < e.length) e[i] = (e[i] as number) * factor(d, h);
      }
  };
  switch (cause) {
    case "outage": {
      const from = rng.int(20, days - 30);
      scaleDays(from, from + rng.int(3, 14), () => 0);
      break;
    }
    case "derate": {
      scaleDays(rng.int(60, days - 60), days, () => 0.8);
      break;
    }
    case "degradation":
      scaleDays(0, days, (d) => 1 - (0.01 * d) / 30.44);
      break;
    case "soiling": {
      let d = rng.int(10, 40);
      while (d < days - 60) {
        const build = rng.int(20, 40);
        const worst = 0.15 + 0.1 * rng.next();
        const start = d;
        scaleDays(start, start + build, (x) => 1 - (worst * (x - start + 1)) / build);
        d += build + rng.int(30, 60);
      }
      break;
    }
    case "shading": {
      // Two hours around local noon lose 60 % (hour index 0 is 23:00 local in CityLearn).
      const h0 = rng.int(11, 13) + 1;
      scaleDays(0, days, (_, h) => (h === h0 || h === h0 + 1 ? 0.4 : 1));
      break;
    }
    case "wrong_kwp":
      return { ...sys, kwp: sys.kwp * (rng.next() < 0.5 ? 1.6 : 0.6) };
  }
  return { ...sys, energyKwh: e };
}

const CAUSES: PvCause[] = ["outage", "derate", "degradation", "soiling", "shading", "wrong_kwp"];
const TRIALS = 10;

for (const cause of CAUSES) {
  test(`${TRIALS} injected ${cause} faults: found with the right cause, no healthy system flagged (precision and recall >= 0.9)`, () => {
    const rng = createRng(90).fork(cause);
    let found = 0;
    let falseAlarms = 0;
    const misses: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const target = HEALTHY[rng.int(0, HEALTHY.length - 1)] as string;
      const systems = SYSTEMS.map((s) => (s.id === target ? inject(s, cause, rng) : s));
      const verdicts = assessPv(systems, CITYLEARN_START_MS, OPTIONS);
      for (const v of verdicts) {
        if (v.id === target) {
          if (v.flagged && v.cause === cause) found++;
          else misses.push(`${target}: ${v.cause ?? "healthy"} (${v.detail})`);
        } else if (HEALTHY.includes(v.id) && v.flagged) {
          falseAlarms++;
          misses.push(`false alarm on ${v.id}: ${v.cause} (${v.detail})`);
        }
      }
    }
    const recall = found / TRIALS;
    const precision = found + falseAlarms === 0 ? 0 : found / (found + falseAlarms);
    assert.ok(
      recall >= 0.9 && precision >= 0.9,
      `recall ${recall}, precision ${precision}: ${misses.join("; ")}`,
    );
  });
}
