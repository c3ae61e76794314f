/**
 * A study: a community replayed from its scenario with the market against grid only (and any
 * mechanisms compared), its battery policy, KPIs and, with an output folder, every output:
 * trades.csv and the ledger streamed while it runs, then results.json, homes.csv, intervals.csv
 * and report.html. Nothing is written before the scenario and its data have loaded.
 */

import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { toCsv, toJson } from "../core/textFormats.js";
import { loadScenarioFile } from "../formats/scenario.js";
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

export interface StudyOutcome {
  readonly input: SimulationInput;
  readonly kpis: Record<string, VariantKpis>;
  /** results.json's document. */
  readonly results: () => ReturnType<typeof resultsDocument>;
  readonly reportPath: string | undefined;
  readonly maintenance: MaintenanceReport | undefined;
  readonly ledger: { blocks: number; trades: number; headHash: string } | undefined;
  readonly seconds: { readonly load: number; readonly plan: number; readonly simulation: number };
}

/** What an interrupted run leaves in the output folder; removed (and said) before a new run. */
const LEFTOVERS = [PARTIAL_TRADES, ".ledger-partial"];

export async function runStudy(options: StudyOptions): Promise<StudyOutcome> {
  const note = options.onNote ?? (() => {});
  const { scenarioPath, homes, days, compare, ledger } = options;
  // Everything that can be wrong with the scenario or its data fails here, before any write.
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

  const out = options.out;
  let trades: TradesFile | undefined;
  let simLedger: SimulationLedger | undefined;
  const ledgerTmp = out === undefined ? undefined : join(out, ".ledger-partial");
  if (out !== undefined) {
    await mkdir(out, { recursive: true });
    for (const name of LEFTOVERS) {
      const path = join(out, name);
      if ((await stat(path).catch(() => undefined)) === undefined) continue;
      await rm(path, { recursive: true, force: true });
      note(`removed ${path}, left by an interrupted run`);
    }
    trades = new TradesFile(out);
    if (input.ledger && ledgerTmp) {
      simLedger = await SimulationLedger.create(ledgerTmp, input);
    }
  }

  options.onStart?.(input.count);
  const t1 = performance.now();
  const { run, planSeconds } = await runWithBatteryPolicy(input, {
    onProgress: (done) => options.onProgress?.(done),
    ...(simLedger
      ? { participantOf: (i: number) => (simLedger as SimulationLedger).participantOf(i) }
      : {}),
    onInterval: async (c) => {
      if (c.variant !== "p2p") return;
      trades?.add(c);
      if (simLedger) await simLedger.record(c);
    },
  });
  const simSeconds = (performance.now() - t1) / 1000 - planSeconds;
  const kpis = computeKpis(run);

  let reportPath: string | undefined;
  let maintenance: MaintenanceReport | undefined;
  // results.json's document (its maintenance section judges every PV system): built once.
  let document: ReturnType<typeof resultsDocument> | undefined;
  const results = () => {
    document ??= resultsDocument(run, kpis, loaded.document.description);
    return document;
  };
  let ledgerInfo: { blocks: number; trades: number; headHash: string } | undefined;
  if (out !== undefined) {
    const t2 = performance.now();
    await (trades as TradesFile).close();
    if (simLedger && ledgerTmp) {
      ledgerInfo = await simLedger.close();
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
    }
    const doc = results();
    maintenance = doc.maintenance;
    await writeFileAtomic(join(out, "results.json"), toJson(doc));
    await writeFileAtomic(join(out, "homes.csv"), toCsv(HOME_COLUMNS, homeRows(kpis)));
    await writeFileAtomic(join(out, "intervals.csv"), toCsv(INTERVAL_COLUMNS, intervalRows(run)));
    reportPath = join(out, "report.html");
    const extra = loaded.document.description ? [loaded.document.description] : [];
    await writeFileAtomic(
      reportPath,
      renderReport({
        run,
        kpis,
        scenario: doc.scenario,
        assumptions: assumptionsOf(run, extra),
        ledger: ledgerInfo,
        maintenance: doc.maintenance,
      }),
    );
    note(
      `wrote ${out}/: results.json, homes.csv, intervals.csv, trades.csv, report.html${ledgerInfo ? ", ledger/" : ""} in ${((performance.now() - t2) / 1000).toFixed(2)} s`,
    );
  }
  note(
    `${input.members.length} homes x ${input.count} intervals, ${run.variants.length} variants: data ${loadSeconds.toFixed(2)} s${planSeconds > 0 ? `, battery plans ${planSeconds.toFixed(2)} s` : ""}, simulation ${simSeconds.toFixed(2)} s${ledgerInfo ? `, ledger ${ledgerInfo.blocks} blocks` : ""}`,
  );
  return {
    input,
    kpis,
    results,
    reportPath,
    maintenance,
    ledger: ledgerInfo,
    seconds: { load: loadSeconds, plan: planSeconds, simulation: simSeconds },
  };
}
