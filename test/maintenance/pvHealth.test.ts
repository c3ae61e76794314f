/**
 * PV health on the CityLearn 2022 community: what the real data shows (two dead or missing
 * systems, one with a wrong kWp on record), no flag on the 14 healthy systems, and known faults
 * injected into healthy systems at seeded random places found with the right cause, with
 * precision and recall of at least 0.9 per kind.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRng } from "../../src/core/rng.js";
import { CITYLEARN_START_MS, cityLearnPvSystems } from "../../src/formats/datasets.js";
import { assessPv, type PvCause, type PvSystemInput } from "../../src/maintenance/pvHealth.js";
import { injectPvFault } from "../support/pvFaults.js";

const SYSTEMS: PvSystemInput[] = await cityLearnPvSystems();
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
      const systems = SYSTEMS.map((s) => (s.id === target ? injectPvFault(s, cause, rng) : s));
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
