/**
 * The IEEE European LV Test Feeder against its published solution at minute 566 (OpenDSS; the
 * reference files in data/ieee-eulv/reference): every low-voltage bus and phase, the substation
 * power, and the load shapes; then bad feeders, each refused with file, line and field.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  loadFeederDir,
  loadSnapshotFile,
  snapshotAtMinute,
} from "../../src/formats/feederFiles.js";
import { PowerFlow } from "../../src/grid/powerflow.js";
import { runCli } from "../support/cli.js";

const FEEDER = new URL("../../data/ieee-eulv", import.meta.url).pathname;
const REF = join(FEEDER, "reference");
const BASE = 240.18; // the published per-unit base: 416 V / sqrt(3)

const csv = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));

test("powerflow: every LV bus and phase within 1e-4 pu and 0.1 degree of OpenDSS at minute 566", async () => {
  const files = await loadFeederDir(FEEDER);
  const f = files.feeder;
  assert.equal(f.buses.length, 906);
  const snap = await loadSnapshotFile(f, join(REF, "inputs_minute_566.csv"));
  const r = new PowerFlow(f).solve(snap.pKw, snap.qKvar);
  assert.ok(r.converged && r.mismatchPu < 1e-8, `converged in ${r.iterations} sweeps`);
  let worstPu = 0;
  let worstDeg = 0;
  let checked = 0;
  for (const [bus, phase, volts, angle] of csv(
    join(REF, "expected_bus_voltages_minute_566.csv"),
  ).slice(1)) {
    if (bus === "SOURCEBUS") continue;
    const b = f.index.get((bus as string).toLowerCase());
    assert.ok(b !== undefined, `bus ${bus} on the feeder`);
    const k = 3 * b + Number(phase) - 1;
    const v = Math.hypot(r.vRe[k] as number, r.vIm[k] as number);
    const a = (Math.atan2(r.vIm[k] as number, r.vRe[k] as number) * 180) / Math.PI;
    worstPu = Math.max(worstPu, Math.abs(v - Number(volts)) / BASE);
    let d = Math.abs(a - Number(angle));
    if (d > 180) d = 360 - d;
    worstDeg = Math.max(worstDeg, d);
    checked++;
  }
  assert.equal(checked, 906 * 3);
  assert.ok(worstPu < 1e-4, `worst voltage error ${worstPu} pu`);
  assert.ok(
    worstDeg <= 0.05 + 1e-9,
    `worst angle error ${worstDeg} degrees (reference rounded to 0.1)`,
  );

  // Substation power: the OpenDSS transformer primary's currents times the source bus voltages.
  const volts = csv(join(REF, "opendss__Snapshot_566min_On_Peak__Voltages.csv")).find(
    (row) => row[0] === "SOURCEBUS",
  ) as string[];
  const cur = csv(join(REF, "opendss__Snapshot_566min_On_Peak__Currents.csv")).find(
    (row) => row[0] === "Transformer.TR1",
  ) as string[];
  let p = 0;
  for (let ph = 0; ph < 3; ph++) {
    const vm = Number(volts[3 + 4 * ph]);
    const va = (Number(volts[4 + 4 * ph]) * Math.PI) / 180;
    const im = Number(cur[1 + 2 * ph]);
    const ia = (Number(cur[2 + 2 * ph]) * Math.PI) / 180;
    p += (vm * im * Math.cos(va - ia)) / 1000;
  }
  assert.ok(Math.abs(r.substationKw - p) / p < 1e-3, `${r.substationKw} kW vs ${p} kW`);

  // --minute 566 rebuilds the reference inputs from the load shapes.
  const fromShapes = snapshotAtMinute(files, 566);
  for (let k = 0; k < fromShapes.pKw.length; k++)
    assert.ok(Math.abs((fromShapes.pKw[k] as number) - (snap.pKw[k] as number)) < 1e-9);
});

test("powerflow command: JSON summary, the voltages CSV, and every minute of the day converges", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "gridshare-pf-")), "v.csv");
  const r = await runCli([
    "powerflow",
    "--feeder",
    FEEDER,
    "--loads",
    join(REF, "inputs_minute_566.csv"),
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.ok(Math.abs(doc.total_load_kw - 57.358) < 1e-9);
  assert.ok(Math.abs(doc.losses_kw - (doc.substation_p_kw - doc.total_load_kw)) < 1e-6);
  assert.equal(doc.converged, true);
  assert.ok(doc.v_min.pu < doc.v_max.pu);
  const lines = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(lines[0], "bus,phase,volts,angle_deg,pu");
  assert.equal(lines.length, 1 + 3 * 907);
  const files = await loadFeederDir(FEEDER);
  const pf = new PowerFlow(files.feeder);
  for (let minute = 1; minute <= 1440; minute += 7) {
    const s = snapshotAtMinute(files, minute);
    assert.ok(pf.solve(s.pKw, s.qKvar).converged, `minute ${minute}`);
  }
});

test("powerflow: bad feeders are refused with file, line and field (exit 2)", async () => {
  const broken = (name: string, file: string, edit: (text: string) => string) => {
    const dir = mkdtempSync(join(tmpdir(), `gridshare-feeder-${name}-`));
    cpSync(join(FEEDER, "network"), join(dir, "network"), { recursive: true });
    cpSync(join(FEEDER, "load_profiles"), join(dir, "load_profiles"), { recursive: true });
    const path = join(dir, "network", file);
    writeFileSync(path, edit(readFileSync(path, "utf8")));
    return dir;
  };
  const cases: [string, RegExp][] = [
    [
      broken("loop", "Lines.csv", (t) => `${t.trimEnd()}\nLINE999,34,47,ABC,5,m,4c_70\n`),
      /Lines\.csv, line 908: line LINE999 \(34 - 47\) closes a loop/,
    ],
    [
      broken("bus", "Loads.csv", (t) => t.replace("LOAD1,1,34,A", "LOAD1,1,9999,A")),
      /Loads\.csv, line 4: Bus: "9999" is not on the feeder/,
    ],
    [
      broken("phase", "Loads.csv", (t) => t.replace("LOAD1,1,34,A", "LOAD1,1,34,D")),
      /Loads\.csv, line 4, field phases: expected a phase A, B or C \(or 1, 2, 3\), received "D"/,
    ],
    [
      broken("impedance", "LineCodes.csv", (t) => t.replace("4c_70,3,0.446", "4c_70,3,4460")),
      /LineCodes\.csv, line 11, field R1: expected ohm per km from 0 to 100 per km, received "4460"/,
    ],
    [
      broken("nan", "Lines.csv", (t) => t.replace("LINE1,1,2,ABC,1.098", "LINE1,1,2,ABC,abc")),
      /Lines\.csv, line 3, field Length: expected a length above 0/,
    ],
    // Words, NaN and Infinity were read as 0 kW: the unit strip removed the whole cell.
    [
      broken("kw-word", "Loads.csv", (t) =>
        t.replace(/^(LOAD1,1,34,A,[^,]*,[^,]*,[^,]*,)[^,]*/m, "$1abc"),
      ),
      /Loads\.csv, line 4, field kW: expected a power in kW of 0 or more, received "abc"/,
    ],
    [
      broken("kw-infinity", "Loads.csv", (t) =>
        t.replace(/^(LOAD1,1,34,A,[^,]*,[^,]*,[^,]*,)[^,]*/m, "$1Infinity"),
      ),
      /Loads\.csv, line 4, field kW: expected a power in kW of 0 or more, received "Infinity"/,
    ],
    [
      broken("source-unit", "Source.csv", (t) => t.replace("Voltage=11 kV", "Voltage=11 MW")),
      /Source\.csv, line 3, field voltage: expected the MV voltage, e\.g\. 11 kV, received "11 MW"/,
    ],
  ];
  for (const [dir, message] of cases) {
    const r = await runCli(["powerflow", "--feeder", dir, "--minute", "566"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
  // A load shape's empty multiplier was read as 0.
  const shapeDir = mkdtempSync(join(tmpdir(), "gridshare-feeder-shape-"));
  cpSync(join(FEEDER, "network"), join(shapeDir, "network"), { recursive: true });
  cpSync(join(FEEDER, "load_profiles"), join(shapeDir, "load_profiles"), { recursive: true });
  const profile = join(shapeDir, "load_profiles", "Load_profile_1.csv");
  const lines = readFileSync(profile, "utf8").split("\n");
  lines[1] = (lines[1] as string).replace(/,[^,]*$/, ",");
  writeFileSync(profile, lines.join("\n"));
  const shape = await runCli(["powerflow", "--feeder", shapeDir, "--minute", "566"]);
  assert.equal(shape.code, 2, shape.stderr);
  assert.match(
    shape.stderr,
    /Load_profile_1\.csv, line 2, field mult: expected a number, received ""/,
  );

  // A snapshot file: a non-number, an unknown load, a load twice, a load at another bus.
  const rows = readFileSync(join(REF, "inputs_minute_566.csv"), "utf8").trimEnd().split("\n");
  const snapshot = (name: string, lines: string[]) => {
    const path = join(mkdtempSync(join(tmpdir(), "gridshare-loads-")), `${name}.csv`);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };
  const edit = (i: number, f: (l: string) => string) => rows.map((l, j) => (j === i ? f(l) : l));
  const loadCases: [string, RegExp][] = [
    ...["abc", "NaN", "Infinity", "0x10", "1.5kW"].map((v): [string, RegExp] => [
      snapshot(
        `p-${v}`,
        edit(1, (l) => l.replace(",0.574,", `,${v},`)),
      ),
      new RegExp(`line 2, field p_kw: expected a power in kW, received "${v}"`),
    ]),
    [
      snapshot(
        "q-word",
        edit(3, (l) => l.replace(",0.037469988,", ",kvar,")),
      ),
      /line 4, field q_kvar: expected a reactive power in kvar, received "kvar"/,
    ],
    [
      snapshot(
        "unknown",
        edit(1, (l) => l.replace("LOAD1,", "LOAD999,")),
      ),
      /line 2, field load: expected a load of the feeder \(Loads\.csv\), received "LOAD999"/,
    ],
    [
      snapshot("twice", [...rows, rows[1] as string]),
      /line 57, field load: expected each load once, received "LOAD1" again \(.*line 2\)/,
    ],
    [
      snapshot(
        "bus",
        edit(1, (l) => l.replace(",34,A,", ",35,A,")),
      ),
      /line 2, field bus: expected "34", the bus of LOAD1, received "35"/,
    ],
  ];
  for (const [path, message] of loadCases) {
    const r = await runCli(["powerflow", "--feeder", FEEDER, "--loads", path]);
    assert.equal(r.code, 2, `${path}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
  const bad = await runCli(["powerflow", "--feeder", FEEDER, "--minute", "1441"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--minute: expected a whole minute of the day from 1 to 1440/);
});
