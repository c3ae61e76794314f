/**
 * PV health on the CityLearn 2022 community with many more injected faults than the tests use:
 * 40 per kind, each into a random healthy system at a seeded random place, and the false
 * alarms this raises on the other healthy systems. Also the time of one assessment of the
 * community (17 systems, one year hourly).
 *
 *   npm run bench -- pvHealth
 */
import { createRng } from "../src/core/rng.js";
import { CITYLEARN_START_MS, cityLearnPvSystems } from "../src/formats/datasets.js";
import { assessPv, type PvCause, type PvSystemInput } from "../src/maintenance/pvHealth.js";
import { injectPvFault } from "../test/support/pvFaults.js";
import { fmt, header, machine, median } from "./stats.js";

const systems: PvSystemInput[] = await cityLearnPvSystems();
const options = { utcOffsetHours: -8 };
header(`PV health, CityLearn 2022 (${machine()})`);
const times: number[] = [];
let clean = assessPv(systems, CITYLEARN_START_MS, options);
for (let k = 0; k < 5; k++) {
  const t0 = performance.now();
  clean = assessPv(systems, CITYLEARN_START_MS, options);
  times.push(performance.now() - t0);
}
const healthy = clean.filter((v) => !v.flagged).map((v) => v.id);
process.stdout.write(
  `one assessment, 17 systems x 8,760 h: ${fmt(median(times), 0)} ms median of 5\n` +
    `clean data: ${clean
      .filter((v) => v.flagged)
      .map((v) => `${v.id} ${v.cause}`)
      .join(", ")}; ${healthy.length} healthy\n\n` +
    "| fault | injected | found (right cause) | wrong cause | missed | false alarms on healthy systems | recall | precision |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
);
const TRIALS = 40;
for (const cause of [
  "outage",
  "derate",
  "degradation",
  "soiling",
  "shading",
  "wrong_kwp",
] as PvCause[]) {
  const rng = createRng(2026).fork(`bench/${cause}`);
  let found = 0;
  let wrong = 0;
  let missed = 0;
  let falseAlarms = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const target = healthy[rng.int(0, healthy.length - 1)] as string;
    const verdicts = assessPv(
      systems.map((s) => (s.id === target ? injectPvFault(s, cause, rng) : s)),
      CITYLEARN_START_MS,
      options,
    );
    for (const v of verdicts) {
      if (v.id === target) {
        if (v.cause === cause) found++;
        else if (v.flagged) wrong++;
        else missed++;
      } else if (healthy.includes(v.id) && v.flagged) falseAlarms++;
    }
  }
  process.stdout.write(
    `| ${cause} | ${TRIALS} | ${found} | ${wrong} | ${missed} | ${falseAlarms} | ${fmt(found / TRIALS, 2)} | ${fmt(found / Math.max(1, found + falseAlarms), 2)} |\n`,
  );
}
