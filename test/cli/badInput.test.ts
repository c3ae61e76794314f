/**
 * The user's mistakes get exit 2 and one plain line; the machine's refusals (a full disk, no
 * permission) get exit 1 and one plain line; neither prints a stack trace.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { systemErrorWords } from "../../src/cli/words.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-bad-input-"));
const p = (name: string) => join(dir, name);
const aFile = p("a-file");
writeFileSync(aFile, "not a folder\n");

const SOLARHOME = [
  "--data",
  "data/ausgrid-solar-home/customer12_2011-2012.csv",
  "--config",
  "bench/solarhome/config.json",
];
const OPSD = [
  "data/opsd-household/household_data_60min_singleindex_2017release_residential4.csv",
  "--time-column",
  "utc_timestamp",
  "--column",
  "DE_KN_residential4_pv",
  "--kind",
  "cumulative",
];

function scenarioWith(edit: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(readFileSync("scenarios/all-features.json", "utf8"));
  edit(doc);
  // Beside the shipped one, so that its relative data paths still resolve.
  const path = join(
    "scenarios",
    `.test-${process.pid}-${Math.random().toString(36).slice(2)}.json`,
  );
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

test("error: an --out or --ledger that is a file, or lies under one, is exit 2 with one line", async () => {
  const cases: string[][] = [
    ["simulate", "scenarios/citylearn-2022.json", "--days", "1", "--out", join(aFile, "out")],
    ["simulate", "scenarios/citylearn-2022.json", "--days", "1", "--out", aFile],
    ["clear", "--ledger", join(aFile, "ledger"), "examples/orders.json"],
    ["optimize", "household", ...SOLARHOME, "--policy", "rule", "--out", join(aFile, "o")],
    ["data", "check", ...OPSD, "--out", join(aFile, "clean.csv")],
  ];
  for (const argv of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^gridshare: cannot \w+ .*a-file.*: a file is in the way/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.equal(r.stdout, "");
  }
});

test("error: values past what a command can mean are exit 2 naming the flag or field", async () => {
  writeFileSync(
    p("order.json"),
    JSON.stringify({
      id: "o1",
      participant: "x",
      side: "buy",
      energy_kwh: 1,
      price_per_kwh: 0.1,
      timestamp: "2026-06-01T12:00:00Z",
    }),
  );
  const key = await runCli(["keys", "new", "--out", p("k.key")]);
  assert.equal(key.code, 0);
  const far = await runCli([
    "order",
    "sign",
    "--key",
    p("k.key"),
    "--participant",
    "--expires-minutes",
    "1e20",
    p("order.json"),
  ]);
  assert.equal(far.code, 2, far.stderr);
  assert.match(
    far.stderr,
    /--expires-minutes: expected a positive number of minutes, at most 525600/,
  );

  // A private key that others may read is used, with a warning.
  chmodSync(p("k.key"), 0o644);
  const open = await runCli([
    "order",
    "sign",
    "--key",
    p("k.key"),
    "--participant",
    p("order.json"),
  ]);
  assert.equal(open.code, 0, open.stderr);
  assert.match(
    open.stderr,
    /warning: .*k\.key can be read by other users of this machine \(mode 644\)/,
  );

  const long = scenarioWith((d) => {
    (d.period as { days: number }).days = 1e9;
  });
  try {
    const r = await runCli(["scenario", "check", long]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /period\.days: expected a whole number of days, at most 36600/);
  } finally {
    (await import("node:fs")).rmSync(long);
  }
});

test("error: a flag's wrong value is refused while the command line is parsed, in one line, exit 2", async () => {
  // Nothing is read first: the files named here do not exist.
  const missing = p("missing");
  const cases: [string[], string][] = [
    [
      ["hosting", "--feeder", missing, "--phase", "D"],
      '--phase: expected abc, A, B or C, received "D"',
    ],
    [
      ["hosting", "--feeder", missing, "--source-pu", "1.2"],
      '--source-pu: expected a set point from 0.8 to 1.2, received "1.2"',
    ],
    [
      ["hosting", "--feeder", missing, "--max-kwp", "0"],
      '--max-kwp: expected kWp above 0, received "0"',
    ],
    [
      ["hosting", "--feeder", missing, "--minute", "0"],
      '--minute: expected a whole minute from 1 to 1440, received "0"',
    ],
    [
      ["powerflow", "--feeder", missing, "--minute", "1441"],
      '--minute: expected a whole minute of the day from 1 to 1440, received "1441"',
    ],
    [["outage", missing, "--hours", "0"], '--hours: expected hours above 0, received "0"'],
    [
      ["outage", missing, "--critical", "2"],
      '--critical: expected a share from 0 to 1, received "2"',
    ],
    [
      ["health", "battery", "--data", missing, "--eol-fraction", "1"],
      "--eol-fraction: expected a share below 1, e.g. 0.7",
    ],
    [
      ["ledger", "repair", missing, "--truncate-after", "-1"],
      '--truncate-after: expected a block height (0 or more), received "-1"',
    ],
    [
      ["simulate", missing, "--battery-policy", "best"],
      '--battery-policy: expected rule, perfect or mpc (optimal is accepted for perfect), received "best"',
    ],
  ];
  for (const [argv, message] of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr, `gridshare: ${message}\n`);
    assert.equal(r.stdout, "");
  }
});

test("behavior: a flag that only another mode reads is not checked in this one", async () => {
  // --pv-kwp is read with --day only; a snapshot at a minute ignores it, as it always did.
  const r = await runCli([
    "powerflow",
    "--feeder",
    "data/ieee-eulv",
    "--minute",
    "720",
    "--pv-kwp",
    "lots",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const day = await runCli([
    "powerflow",
    "--feeder",
    "data/ieee-eulv",
    "--day",
    "--pv-kwp",
    "lots",
  ]);
  assert.equal(day.code, 2);
  assert.equal(
    day.stderr,
    'gridshare: --pv-kwp: expected a number of 0 or more, received "lots"\n',
  );
});

test("error: data check refuses a file with no readable timestamp, and one without a header", async () => {
  writeFileSync(p("stamps.csv"), "time,value\nnope,1\nbad,2\nxx,3\n");
  const stamps = await runCli(["data", "check", p("stamps.csv")]);
  assert.equal(stamps.code, 2, stamps.stderr);
  assert.match(
    stamps.stderr,
    /stamps\.csv, line 2, column "time": expected a time .*received "nope" \(0 of 3 timestamps are readable\)/,
  );
  writeFileSync(
    p("headless.csv"),
    "2017-01-01T00:00:00Z,1\n2017-01-01T01:00:00Z,2\n2017-01-01T02:00:00Z,3\n",
  );
  const headless = await runCli(["data", "check", p("headless.csv")]);
  assert.equal(headless.code, 2, headless.stderr);
  assert.match(headless.stderr, /headless\.csv: the first row must be a header naming the columns/);
});

test("behavior: what an interrupted simulate left in --out is removed, and said", async () => {
  const out = p("sim");
  mkdirSync(join(out, ".ledger-partial"), { recursive: true });
  writeFileSync(join(out, ".ledger-partial", "ledger.log"), "torn");
  writeFileSync(join(out, ".trades-partial.csv"), "transaction_id\n");
  const r = await runCli([
    "simulate",
    "scenarios/citylearn-2022.json",
    "--days",
    "1",
    "--ledger",
    "off",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /removed .*\.trades-partial\.csv, left by an interrupted run/);
  assert.match(r.stderr, /removed .*\.ledger-partial, left by an interrupted run/);
  assert.ok(!existsSync(join(out, ".ledger-partial")));
  assert.ok(!existsSync(join(out, ".trades-partial.csv")));
  assert.ok(existsSync(join(out, "trades.csv")));
});

test("error: a full disk or a read-only folder is one plain line with exit 1, naming the file", () => {
  const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
    syscall: "write",
    path: "out/report.html",
  });
  assert.deepEqual(systemErrorWords(full), {
    message:
      "cannot write out/report.html: no space left on the device; free some space or write elsewhere",
    exitCode: 1,
  });
  const readOnly = Object.assign(new Error("EROFS"), { code: "EROFS", syscall: "open", path: "L" });
  assert.equal(systemErrorWords(readOnly)?.exitCode, 1);
  assert.match(systemErrorWords(readOnly)?.message ?? "", /read-only; choose a folder/);
  assert.equal(systemErrorWords(new Error("plain")), undefined);
});
