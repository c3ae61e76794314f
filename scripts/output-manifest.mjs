// Behaviour check for refactoring: runs the shipped scenarios through the commands whose outputs
// must not change (simulate, demo, optimize, powerflow, hosting, outage, forecast backtest,
// health, data check, clear, ledger) and records a SHA-256 of every stdout and every file they
// write. Timings (keys named *seconds*) are left out of JSON before hashing; stderr is not kept.
//
//   node scripts/output-manifest.mjs record [file]   builds, runs, writes the manifest
//   node scripts/output-manifest.mjs check [file]    builds, runs, compares; exit 1 on a change
//
// The default file is scripts/output-manifest.json.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [mode = "check", file = join(root, "scripts", "output-manifest.json")] =
  process.argv.slice(2);
if (mode !== "record" && mode !== "check") {
  process.stderr.write("usage: node scripts/output-manifest.mjs record|check [file]\n");
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "gridshare-manifest-"));
const at = (name) => join(work, name);
const OPERATOR_KEY = at("operator.key");
const SOLARHOME = [
  "--data",
  "data/ausgrid-solar-home/customer12_2011-2012.csv",
  "--config",
  "bench/solarhome/config.json",
];

/** [name, argv (or a function giving it), the directory or file it writes under the work folder] */
const RUNS = [
  ["demo", ["demo", "--out", at("demo")], "demo"],
  [
    "simulate-all-features",
    ["simulate", "scenarios/all-features.json", "--days", "7", "--out", at("sim-all")],
    "sim-all",
  ],
  [
    "simulate-compare-signed",
    [
      "simulate",
      "scenarios/citylearn-2022.json",
      "--days",
      "3",
      "--compare",
      "sdr,mmr,mcafee,cda,pay-as-bid,bill-sharing",
      "--sign-orders",
      "--out",
      at("sim-signed"),
    ],
    "sim-signed",
  ],
  [
    "simulate-forecast-mpc",
    ["simulate", "scenarios/agents/forecast-mpc.json", "--days", "3", "--json"],
  ],
  [
    "simulate-optimal",
    ["simulate", "scenarios/citylearn-2022.json", "--days", "3", "--battery-policy", "optimal"],
  ],
  [
    "optimize-household-rule",
    ["optimize", "household", ...SOLARHOME, "--policy", "rule", "--json"],
  ],
  [
    "optimize-household-perfect",
    ["optimize", "household", ...SOLARHOME, "--policy", "perfect", "--out", at("opt-perfect")],
    "opt-perfect",
  ],
  [
    "optimize-household-mpc",
    ["optimize", "household", ...SOLARHOME, "--policy", "mpc", "--horizon", "12", "--json"],
  ],
  ["optimize-community", ["optimize", "community", "scenarios/all-features.json", "--days", "3"]],
  [
    "optimize-community-dr",
    [
      "optimize",
      "community",
      "scenarios/all-features.json",
      "--days",
      "2",
      "--dr-start",
      "2016-08-01T17:00:00-07:00",
      "--dr-end",
      "2016-08-01T20:00:00-07:00",
      "--dr-cap",
      "10",
      "--json",
    ],
  ],
  [
    "powerflow-trades",
    [
      "powerflow",
      "--feeder",
      "data/ieee-eulv",
      "--minute",
      "720",
      "--trades",
      "examples/eulv-trades.csv",
    ],
  ],
  [
    "powerflow-minute-out",
    ["powerflow", "--feeder", "data/ieee-eulv", "--minute", "1100", "--out", at("pf-minute.csv")],
    "pf-minute.csv",
  ],
  [
    "powerflow-day",
    [
      "powerflow",
      "--feeder",
      "data/ieee-eulv",
      "--day",
      "--pv-kwp",
      "3",
      "--out",
      at("pf-day.csv"),
    ],
    "pf-day.csv",
  ],
  [
    "powerflow-day-scenario",
    [
      "powerflow",
      "--feeder",
      "data/ieee-eulv",
      "--day",
      "--scenario",
      "scenarios/citylearn-2022.json",
    ],
  ],
  [
    "hosting",
    ["hosting", "--feeder", "data/ieee-eulv", "--source-pu", "1.0", "--out", at("hosting")],
    "hosting",
  ],
  ["outage", ["outage", "scenarios/all-features.json", "--hours", "24", "--json"]],
  [
    "forecast-load",
    [
      "forecast",
      "backtest",
      "--target",
      "load",
      "--scope",
      "community",
      "--models",
      "persistence,seasonal-naive,climatology,ridge",
      "--json",
    ],
  ],
  [
    "forecast-pv-home",
    ["forecast", "backtest", "--target", "pv", "--scope", "Building_3", "--models", "persistence"],
  ],
  ["health-pv", ["health", "pv", "--dataset", "citylearn", "--json"]],
  [
    "health-battery",
    ["health", "battery", "--data", "data/nasa-battery/B0005.csv", "--train-cycles", "84"],
  ],
  [
    "data-check",
    [
      "data",
      "check",
      "data/opsd-household/household_data_60min_singleindex_2017release_residential4.csv",
      "--time-column",
      "utc_timestamp",
      "--column",
      "DE_KN_residential4_pv",
      "--kind",
      "cumulative",
      "--json",
      "--out",
      at("clean.csv"),
    ],
    "clean.csv",
  ],
  ["clear-table", ["clear", "--mechanism", "uniform", "--format", "table", "examples/orders.json"]],
  [
    "clear-mcafee-csv",
    ["clear", "--mechanism", "mcafee", "--format", "csv", "examples/orders.json"],
  ],
  [
    "clear-ledger",
    [
      "clear",
      "--json",
      "--ledger",
      at("clear-ledger"),
      "--operator-key",
      OPERATOR_KEY,
      "examples/orders.json",
    ],
    "clear-ledger",
  ],
  ["ledger-verify", ["ledger", "verify", at("demo/ledger")]],
  ["ledger-export", ["ledger", "export", at("demo/ledger"), "--format", "csv"]],
  [
    "ledger-export-home",
    [
      "ledger",
      "export",
      at("sim-signed/ledger"),
      "--format",
      "json",
      "--from",
      "2016-08-02T00:00:00Z",
    ],
  ],
  [
    "ledger-consistency",
    ["ledger", "consistency", at("demo/ledger"), "--from", "3", "--to", "400"],
  ],
  // The first trade of the demo's ledger, proved against the head of block 500.
  [
    "ledger-prove",
    () => [
      "ledger",
      "prove",
      at("demo/ledger"),
      "--tx",
      firstTrade(at("demo/trades.csv")),
      "--height",
      "500",
    ],
  ],
];

function firstTrade(csv) {
  return readFileSync(csv, "utf8").split("\n")[1].split(",")[0];
}

function sha(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Output with what may differ between two honest runs taken out: the work folder's name, and
 * timings (JSON keys named *seconds*, and table lines that start with one).
 */
function stable(bytes, name) {
  const text = bytes.toString("utf8").replaceAll(work, "<work>");
  if (name.endsWith(".json") || name === "stdout") {
    try {
      return Buffer.from(JSON.stringify(withoutTimings(JSON.parse(text))));
    } catch {
      // not JSON: a table or plain text
    }
  }
  if (name === "stdout")
    return Buffer.from(
      text
        .split("\n")
        .filter((line) => !/^\s*[\w ]*seconds\b/i.test(line))
        .join("\n"),
    );
  return Buffer.from(text);
}

function withoutTimings(v) {
  if (Array.isArray(v)) return v.map(withoutTimings);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/seconds|_ms$|elapsed/i.test(k))
        .map(([k, x]) => [k, withoutTimings(x)]),
    );
  return v;
}

function filesUnder(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  if (s === undefined) return [];
  if (s.isFile()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function gridshare(args) {
  return spawnSync(process.execPath, [join(root, "bin", "gridshare.js"), ...args], {
    cwd: root,
    maxBuffer: 1 << 30,
    env: { ...process.env, GRIDSHARE_DEBUG: "" },
  });
}

const build = spawnSync(
  process.execPath,
  [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
  { cwd: root, stdio: "inherit" },
);
if (build.status !== 0) process.exit(1);

// A fixed operator key, so the ledger that `clear --ledger` writes is the same every run.
const keys = await import(join(root, "dist", "ledger", "keys.js"));
writeFileSync(
  OPERATOR_KEY,
  `${JSON.stringify(keys.keyFileDocument(keys.identityFromSeed(Buffer.alloc(32, 7))), null, 2)}\n`,
  { mode: 0o600 },
);

const manifest = {};
for (const [name, args, writes] of RUNS) {
  const t0 = Date.now();
  const r = gridshare(typeof args === "function" ? args() : args);
  const entry = { exit: r.status, stdout: sha(stable(r.stdout, "stdout")) };
  if (writes !== undefined) {
    for (const f of filesUnder(at(writes))) {
      entry[relative(work, f)] = sha(stable(readFileSync(f), f));
    }
  }
  manifest[name] = entry;
  const took = ((Date.now() - t0) / 1000).toFixed(1);
  process.stderr.write(`${name}: exit ${r.status} in ${took} s\n`);
  if (r.status !== 0) process.stderr.write(r.stderr.toString());
}
rmSync(work, { recursive: true, force: true });

if (mode === "record") {
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stderr.write(
    `recorded ${Object.keys(manifest).length} runs in ${relative(root, file)}\n`,
  );
} else {
  const before = JSON.parse(readFileSync(file, "utf8"));
  const changes = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(manifest)])) {
    const a = before[name] ?? {};
    const b = manifest[name] ?? {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[key] !== b[key]) changes.push(`${name}: ${key}: ${a[key]} -> ${b[key]}`);
    }
  }
  if (changes.length > 0) {
    process.stderr.write(`${changes.length} output(s) changed:\n${changes.join("\n")}\n`);
    process.exit(1);
  }
  process.stderr.write(`all ${Object.keys(manifest).length} runs give the same outputs\n`);
}
