/**
 * A study: a community replayed from its scenario with the market against grid only (and any
 * mechanisms compared), its battery policy, KPIs and, with an output folder, every output:
 * trades.csv and the ledger streamed while it runs, then results.json, homes.csv, intervals.csv
 * and report.html. Nothing is written before the scenario and its data have loaded.
 */

import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { toCsv, toJson } from "../core/textFormats.js";
import { type LoadedScenario, loadScenarioFile } from "../formats/scenario.js";
import type { MechanismName } from "../market/types.js";
import { assumptionsOf, renderReport } from "../report/html.js";
import {
  HOME_COLUMNS,
  homeRows,
  INTERVAL_COLUMNS,
  intervalRows,
  resultsDocument,
} from "../report/outputs.js";
import { computeKpis, type VariantKpis } from "../sim/kpis.js";
import type { MaintenanceReport } from "../sim/maintenance.js";
import type { SimulationRun } from "../sim/run.js";
import type { BatteryPolicy, SimulationInput } from "../sim/types.js";
import { writeFileAtomic } from "../store/atomicFile.js";
import { SimulationLedger } from "../store/simulationLedger.js";
import { runWithBatteryPolicy } from "./runScenario.js";
import { PARTIAL_TRADES, TradesFile } from "./tradesFile.js";

export interface StudyOptions {
  readonly scenarioPath: string;
  readonly homes?: number | undefined;
  readonly days?: number | undefined;
  /** Mechanisms to run on the same community besides the scenario's own. */
  readonly compare: readonly MechanismName[];
  /** Record the scenario's market in a ledger (default: the scenario's `ledger`); needs `out`. */
  readonly ledger?: boolean | undefined;
  readonly signOrders: boolean;
  /** Run this mechanism instead of the scenario's. */
  readonly mechanism?: MechanismName | undefined;
  /** Instead of the scenario's `battery_policy`. */
  readonly batteryPolicy?: BatteryPolicy | undefined;
  /** Write every output here. */
  readonly out?: string | undefined;
  readonly onStart?: (intervals: number) => void;
  readonly onProgress?: (done: number) => void;
  /** Hears what the study did on the way (files removed, written, orders signed), in words. */
  readonly onNote?: (note: string) => void;
}

/** The ledger a study kept: its size and head. */
type LedgerInfo = { blocks: number; trades: number; headHash: string };

export interface StudyOutcome {
  readonly input: SimulationInput;
  readonly kpis: Record<string, VariantKpis>;
  /** results.json's document. */
  readonly results: () => ReturnType<typeof resultsDocument>;
  readonly reportPath: string | undefined;
  readonly maintenance: MaintenanceReport | undefined;
  readonly ledger: LedgerInfo | undefined;
  readonly seconds: { readonly load: number; readonly plan: number; readonly simulation: number };
}

/** What an interrupted run leaves in the output folder; removed (and said) before a new run. */
const LEFTOVERS = [PARTIAL_TRADES, ".ledger-partial"];

type ResultsDocument = ReturnType<typeof resultsDocument>;

/** The scenario as loaded, the input the study runs, and how long loading took. */
interface LoadedStudy {
  readonly loaded: LoadedScenario;
  readonly input: SimulationInput;
  readonly loadSeconds: number;
}

/** What a study with an output folder streams while it runs: trades.csv and the ledger. */
interface StudyWriters {
  readonly out: string;
  readonly trades: TradesFile;
  readonly ledger: SimulationLedger | undefined;
  /** Where the ledger grows until it is complete. */
  readonly ledgerTmp: string;
}

/** The scenario's run, and how long its battery plans and its simulation took. */
interface StudyRun {
  readonly run: SimulationRun;
  readonly planSeconds: number;
  readonly simSeconds: number;
}

/** What the outputs are written from: the run, its KPIs and results.json's document. */
interface StudyResults {
  readonly input: SimulationInput;
  readonly run: SimulationRun;
  readonly kpis: Record<string, VariantKpis>;
  readonly results: () => ResultsDocument;
  /** The scenario's description, an assumption of the report. */
  readonly description: string | undefined;
}

/** What writing the outputs gives back to the outcome. */
interface WrittenOutputs {
  readonly reportPath: string;
  readonly maintenance: MaintenanceReport;
  readonly ledger: LedgerInfo | undefined;
}

/** The scenario replayed, its KPIs and, with an output folder, every output written. */
export async function runStudy(options: StudyOptions): Promise<StudyOutcome> {
  const note = options.onNote ?? (() => {});
  // Everything that can be wrong with the scenario or its data fails here, before any write.
  const { loaded, input, loadSeconds } = await loadStudy(options);
  const writers =
    options.out === undefined ? undefined : await openWriters(options.out, input, note);
  const { run, planSeconds, simSeconds } = await runStreaming(input, options, writers);
  const kpis = computeKpis(run);
  const description = loaded.document.description;
  const results = resultsOnce(run, kpis, description);
  const written = writers
    ? await writeOutputs(writers, { input, run, kpis, results, description }, note)
    : undefined;
  const ledgerInfo = written?.ledger;
  note(
    `${input.members.length} homes x ${input.count} intervals, ${run.variants.length} variants: data ${loadSeconds.toFixed(2)} s${planSeconds > 0 ? `, battery plans ${planSeconds.toFixed(2)} s` : ""}, simulation ${simSeconds.toFixed(2)} s${ledgerInfo ? `, ledger ${ledgerInfo.blocks} blocks` : ""}`,
  );
  return {
    input,
    kpis,
    results,
    reportPath: written?.reportPath,
    maintenance: written?.maintenance,
    ledger: ledgerInfo,
    seconds: { load: loadSeconds, plan: planSeconds, simulation: simSeconds },
  };
}

/** The scenario and its data with the options' overrides, the mechanism and battery policy. */
async function loadStudy(options: StudyOptions): Promise<LoadedStudy> {
  const { scenarioPath, homes, days, compare, ledger } = options;
  const t0 = performance.now();
  const loaded = await loadScenarioFile(scenarioPath, {
    ...(homes === undefined ? {} : { homes }),
    ...(days === undefined ? {} : { days }),
    compare,
    ...(ledger === undefined ? {} : { ledger }),
    signOrders: options.signOrders,
  });
  const chosen = options.mechanism
    ? {
        ...loaded.input,
        market: { ...loaded.input.market, mechanism: options.mechanism, kPpm: null },
      }
    : loaded.input;
  const loadSeconds = (performance.now() - t0) / 1000;
  // The flag overrides the scenario's `battery_policy`.
  const input: SimulationInput = {
    ...chosen,
    batteryPolicy: options.batteryPolicy ?? chosen.batteryPolicy ?? "rule",
  };
  return { loaded, input, loadSeconds };
}

/** The output folder made ready: leftovers gone, trades.csv and the ledger (if kept) open. */
async function openWriters(
  out: string,
  input: SimulationInput,
  note: (note: string) => void,
): Promise<StudyWriters> {
  await mkdir(out, { recursive: true });
  await removeLeftovers(out, note);
  const trades = new TradesFile(out);
  const ledgerTmp = join(out, ".ledger-partial");
  const ledger = input.ledger ? await SimulationLedger.create(ledgerTmp, input) : undefined;
  return { out, trades, ledger, ledgerTmp };
}

/** Removes what an interrupted run left in the output folder, saying so for each. */
async function removeLeftovers(out: string, note: (note: string) => void): Promise<void> {
  for (const name of LEFTOVERS) {
    const path = join(out, name);
    if ((await stat(path).catch(() => undefined)) === undefined) continue;
    await rm(path, { recursive: true, force: true });
    note(`removed ${path}, left by an interrupted run`);
  }
}

/** The scenario on its battery policy, the p2p market's intervals streamed to the writers. */
async function runStreaming(
  input: SimulationInput,
  options: StudyOptions,
  writers: StudyWriters | undefined,
): Promise<StudyRun> {
  const simLedger = writers?.ledger;
  options.onStart?.(input.count);
  const t1 = performance.now();
  const { run, planSeconds } = await runWithBatteryPolicy(input, {
    onProgress: (done) => options.onProgress?.(done),
    ...(simLedger ? { participantOf: (i: number) => simLedger.participantOf(i) } : {}),
    onInterval: async (c) => {
      if (c.variant !== "p2p") return;
      writers?.trades.add(c);
      if (simLedger) await simLedger.record(c);
    },
  });
  const simSeconds = (performance.now() - t1) / 1000 - planSeconds;
  return { run, planSeconds, simSeconds };
}

/** results.json's document (its maintenance section judges every PV system), built once. */
function resultsOnce(
  run: SimulationRun,
  kpis: Record<string, VariantKpis>,
  description: string | undefined,
): () => ResultsDocument {
  let document: ResultsDocument | undefined;
  return () => {
    document ??= resultsDocument(run, kpis, description);
    return document;
  };
}

/** Every output: trades.csv and the ledger closed, then the results, the tables and the report. */
async function writeOutputs(
  writers: StudyWriters,
  study: StudyResults,
  note: (note: string) => void,
): Promise<WrittenOutputs> {
  const { out } = writers;
  const { run, kpis, description } = study;
  const t2 = performance.now();
  await writers.trades.close();
  const ledger = writers.ledger
    ? await finishLedger(writers, writers.ledger, study.input, note)
    : undefined;
  const doc = study.results();
  await writeFileAtomic(join(out, "results.json"), toJson(doc));
  await writeFileAtomic(join(out, "homes.csv"), toCsv(HOME_COLUMNS, homeRows(kpis)));
  await writeFileAtomic(join(out, "intervals.csv"), toCsv(INTERVAL_COLUMNS, intervalRows(run)));
  const reportPath = join(out, "report.html");
  const extra = description ? [description] : [];
  await writeFileAtomic(
    reportPath,
    renderReport({
      run,
      kpis,
      scenario: doc.scenario,
      assumptions: assumptionsOf(run, extra),
      ledger,
      maintenance: doc.maintenance,
    }),
  );
  note(
    `wrote ${out}/: results.json, homes.csv, intervals.csv, trades.csv, report.html${ledger ? ", ledger/" : ""} in ${((performance.now() - t2) / 1000).toFixed(2)} s`,
  );
  return { reportPath, maintenance: doc.maintenance, ledger };
}

/** The ledger closed and moved into place, with the operator's key and the participants' map. */
async function finishLedger(
  { out, ledgerTmp }: StudyWriters,
  simLedger: SimulationLedger,
  input: SimulationInput,
  note: (note: string) => void,
): Promise<LedgerInfo> {
  const info = await simLedger.close();
  const target = join(out, "ledger");
  await rm(target, { recursive: true, force: true });
  await rename(ledgerTmp, target);
  await writeFileAtomic(
    join(target, "operator.pub"),
    toJson({
      participant: simLedger.operator.participant,
      public_key: simLedger.operator.publicKey,
    }),
  );
  const map = simLedger.participantMap();
  if (map) await writeFileAtomic(join(out, "participants.json"), toJson(map));
  if (input.signOrders) {
    note(
      `signed ${simLedger.signatures.toLocaleString("en")} orders in ${(simLedger.signMs / 1000).toFixed(2)} s`,
    );
  }
  return info;
}
