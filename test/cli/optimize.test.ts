import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli.js";

const DATA = new URL("../../data/ausgrid-solar-home/customer12_2011-2012.csv", import.meta.url)
  .pathname;
const CONFIG = new URL("../../bench/solarhome/config.json", import.meta.url).pathname;
const FULL = new URL("../../scenarios/all-features.json", import.meta.url).pathname;
const DEMO = new URL("../../scenarios/citylearn-2022.json", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "gridshare-opt-"));
const config = JSON.parse(readFileSync(CONFIG, "utf8"));

function writeConfig(name: string, change: (c: typeof config) => void): string {
  const c = structuredClone(config);
  change(c);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(c));
  return path;
}

test("optimize household: the JSON summary and the trajectory file", async () => {
  const out = join(dir, "perfect");
  const r = await runCli([
    "optimize",
    "household",
    "--data",
    DATA,
    "--config",
    CONFIG,
    "--policy",
    "perfect",
    "--json",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.policy, "perfect");
  assert.equal(doc.days, 30);
  assert.ok(Math.abs(doc.cost_per_day - 0.353734) < 1e-6, String(doc.cost_per_day));
  assert.ok(Math.abs(doc.grid_kwh_per_day - 3.378018) < 1e-6);
  assert.ok(Math.abs(doc.curtailed_kwh_per_day - 1.965087) < 1e-6);
  const lines = readFileSync(join(out, "trajectory.csv"), "utf8").trim().split("\n");
  assert.equal(lines.length, 1 + 30 * 48);
  assert.match(
    lines[0] as string,
    /^time,load_kw,pv_kw,import_price,import_kw,export_kw,curtail_kw,charge_kw,discharge_kw,soc_kwh,/,
  );
  assert.match(lines[1] as string, /^2011-11-29 00:00:00,/);
  assert.deepEqual(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")), doc);

  const table = await runCli([
    "optimize",
    "household",
    "--data",
    DATA,
    "--config",
    CONFIG,
    "--policy",
    "rule",
  ]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /cost per day \(EUR\)\s+0\.5633/);
});

test("optimize household: bad input gets a clear message and exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--policy", "greedy"], /--policy: expected one of rule, perfect, mpc, received "greedy"/],
    [["--policy", "mpc", "--horizon", "-3"], /--horizon: expected a number of hours above 0/],
    [
      ["--policy", "mpc", "--forecast", "oracle"],
      /--forecast: expected one of persistence, profile, fixed-profile/,
    ],
  ];
  for (const [extra, message] of cases) {
    const r = await runCli(["optimize", "household", "--data", DATA, "--config", CONFIG, ...extra]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  const noColumn = writeConfig("no-column.json", (c) => {
    c.data.pv_column = "PV";
  });
  const bad = writeConfig("bad-field.json", (c) => {
    c.battery.capacity_kwh = -8;
  });
  const outside = writeConfig("outside.json", (c) => {
    c.period.start = "2013-01-01 00:00";
  });
  const ev = writeConfig("ev.json", (c) => {
    c.ev = {
      capacity_kwh: 50,
      charger_kw: 3.7,
      sessions: [
        {
          arrive: "2011-11-29 18:00",
          depart: "2011-11-29 20:00",
          arrival_kwh: 10,
          required_kwh: 40,
        },
      ],
    };
  });
  // Messages that named the wrong thing: the reserve above the maximum as an initial charge out of
  // range, an import limit that cannot serve the load as the solver's "Infeasible", a daily EV
  // stay as ev.sessions[0].
  const socRange = writeConfig("soc-range.json", (c) => {
    c.battery.soc_min_kwh = 6;
    c.battery.soc_max_kwh = 4;
  });
  const thinGrid = writeConfig("thin-grid.json", (c) => {
    c.grid.import_limit_kw = 0.1;
  });
  const dailyEv = writeConfig("daily-ev.json", (c) => {
    c.ev = {
      capacity_kwh: 40,
      charger_kw: 1,
      daily: { arrive: "18:00", depart: "19:00", arrival_kwh: 5, required_kwh: 30 },
    };
  });
  const fileCases: [string, RegExp][] = [
    [
      socRange,
      /battery\.soc_min_kwh 6 is above battery\.soc_max_kwh 4: no state of charge is allowed/,
    ],
    [
      thinGrid,
      /step \d+ \(.*\): load exceeds supply: .* but the grid gives at most 0\.1 kW and by then the battery is down to its minimum/,
    ],
    [dailyEv, /ev\.daily \(the stay from 2011-11-29T18:00:00Z\): the EV cannot be charged in time/],
    [noColumn, /customer12_2011-2012\.csv: no column "PV" \(columns: "", "GC", "GG"\)/],
    [bad, /bad-field\.json: battery\.capacity_kwh: .*positive number/],
    [outside, /outside\.json: period: 30 days from 2013-01-01 00:00 are not all in/],
    [
      ev,
      /ev\.sessions\[0\]: the EV cannot be charged in time: it arrives at 2011-11-29 18:00:00 with 10 kWh/,
    ],
  ];
  for (const [path, message] of fileCases) {
    const r = await runCli([
      "optimize",
      "household",
      "--data",
      DATA,
      "--config",
      path,
      "--policy",
      "perfect",
      "--out",
      join(dir, "never"),
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
  assert.equal(existsSync(join(dir, "never")), false, "nothing written on bad input");
});

test("optimize community: community battery benefit split among members, and a demand-response cap", async () => {
  const r = await runCli(["optimize", "community", FULL, "--days", "2", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.steps, 48);
  assert.ok(doc.community_battery.benefit > 0);
  const shares = doc.community_battery.members.map(
    (m: { share_of_benefit: number }) => m.share_of_benefit,
  );
  assert.ok(
    Math.abs(shares.reduce((a: number, x: number) => a + x, 0) - doc.community_battery.benefit) <
      1e-3,
  );
  const dr = await runCli([
    "optimize",
    "community",
    DEMO,
    "--days",
    "2",
    "--json",
    "--dr-start",
    "2016-08-01T17:00:00-08:00",
    "--dr-end",
    "2016-08-01T21:00:00-08:00",
    "--dr-cap",
    "25",
  ]);
  assert.equal(dr.code, 0, dr.stderr);
  const e = JSON.parse(dr.stdout).demand_response;
  assert.ok(e.peak_kw <= 25 + 1e-6);
  assert.ok(e.peak_without_event_kw > 25, "the cap binds on this evening");
  assert.ok(Math.abs(e.peak_reduced_kw - (e.peak_without_event_kw - e.peak_kw)) < 2e-3);
  assert.ok(e.cost_of_response >= 0);
  const bad = await runCli([
    "optimize",
    "community",
    DEMO,
    "--dr-start",
    "2016-08-01T17:00:00-08:00",
    "--dr-end",
    "2016-08-01T21:00:00-08:00",
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /needs --dr-cap <kW> or --dr-price <per kWh>/);
});

test("simulate: home batteries on the joint optimum lower the community's bill", async () => {
  const run = async (policy: string) => {
    const r = await runCli(["simulate", DEMO, "--days", "7", "--json", "--battery-policy", policy]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    // results.json says how the batteries ran.
    assert.equal(doc.scenario.battery_policy, policy);
    return doc.variants.p2p.total_bill as number;
  };
  const rule = await run("rule");
  const perfect = await run("perfect");
  assert.ok(perfect < rule, `perfect ${perfect} vs rule ${rule}`);
  const r = await runCli(["simulate", DEMO, "--battery-policy", "smart"]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /--battery-policy: expected rule, perfect or mpc \(optimal is accepted for perfect\), received "smart"/,
  );
});

test("simulate: optimal, the earlier name of perfect, runs and records perfect, as a flag and in a scenario file", async () => {
  const simulate = async (scenario: string, ...flags: string[]) => {
    const r = await runCli(["simulate", scenario, "--days", "3", "--json", ...flags]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const perfect = await simulate(DEMO, "--battery-policy", "perfect");
  assert.equal(JSON.parse(perfect).scenario.battery_policy, "perfect");
  assert.equal(await simulate(DEMO, "--battery-policy", "optimal"), perfect);
  const doc = JSON.parse(readFileSync(DEMO, "utf8"));
  doc.battery_policy = "optimal";
  const file = join(dir, "optimal-policy.json");
  writeFileSync(file, JSON.stringify(doc));
  const fromFile = JSON.parse(await simulate(file));
  assert.equal(fromFile.scenario.battery_policy, "perfect");
  assert.deepEqual(fromFile.variants, JSON.parse(perfect).variants);
});

test("simulate: a scenario's battery_policy is run and echoed, the flag overrides it, a bad one is named", async () => {
  const MPC = new URL("../../scenarios/agents/forecast-mpc.json", import.meta.url).pathname;
  const mpc = await runCli(["simulate", MPC, "--days", "3", "--json"]);
  assert.equal(mpc.code, 0, mpc.stderr);
  assert.equal(JSON.parse(mpc.stdout).scenario.battery_policy, "mpc");
  assert.match(mpc.stderr, /battery plans [\d.]+ s/);
  const rule = await runCli(["simulate", MPC, "--days", "3", "--json", "--battery-policy", "rule"]);
  assert.equal(rule.code, 0, rule.stderr);
  assert.equal(JSON.parse(rule.stdout).scenario.battery_policy, "rule");
  assert.notEqual(
    JSON.parse(rule.stdout).variants.p2p.total_bill,
    JSON.parse(mpc.stdout).variants.p2p.total_bill,
  );
  const doc = JSON.parse(readFileSync(MPC, "utf8"));
  doc.battery_policy = "smart";
  const bad = join(dir, "bad-policy.json");
  writeFileSync(bad, JSON.stringify(doc));
  const r = await runCli(["simulate", bad, "--days", "3"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /battery_policy/);
  assert.match(r.stderr, /one of rule, perfect, mpc \(optimal is accepted for perfect\)/);
});

test("optimize household: a demand-response event is met and its cost reported; a peak charge flattens imports", async () => {
  const dr = writeConfig("dr.json", (c) => {
    c.period.days = 3;
    c.demand_response = [
      { name: "evening", start: "2011-11-29 18:00", end: "2011-11-29 21:00", import_cap_kw: 0.2 },
    ];
  });
  const r = await runCli([
    "optimize",
    "household",
    "--data",
    DATA,
    "--config",
    dr,
    "--policy",
    "perfect",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const e = doc.demand_response[0];
  assert.equal(e.name, "evening");
  assert.ok(e.peak_kw <= 0.2 + 1e-9, JSON.stringify(e));
  assert.ok(e.peak_without_event_kw >= e.peak_kw);
  assert.ok(doc.demand_response_cost >= 0);

  const flat = async (charge: number) => {
    const path = writeConfig(`peak${charge}.json`, (c) => {
      c.period.days = 7;
      c.grid.peak_charge_per_kw = charge;
    });
    const out = await runCli([
      "optimize",
      "household",
      "--data",
      DATA,
      "--config",
      path,
      "--policy",
      "perfect",
      "--json",
    ]);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout);
  };
  const without = await flat(0);
  const withCharge = await flat(1);
  assert.ok(
    withCharge.peak_import_kw < without.peak_import_kw - 0.5,
    `${withCharge.peak_import_kw} vs ${without.peak_import_kw}`,
  );
});
