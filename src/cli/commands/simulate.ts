/** `gridshare simulate` and `gridshare demo`: replay a community and compare market designs. */

import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { runWithBatteryPolicy } from "../../app/runScenario.js";
import { InputError } from "../../core/errors.js";
import { loadScenarioFile } from "../../data/scenario.js";
import { TRADE_RECORD_COLUMNS, tradeRecord } from "../../market/records.js";
import { MECHANISM_NAMES, type MechanismName } from "../../market/types.js";
import { assumptionsOf, renderReport } from "../../report/html.js";
import {
  HOME_COLUMNS,
  homeRows,
  INTERVAL_COLUMNS,
  intervalRows,
  resultsDocument,
} from "../../report/outputs.js";
import { computeKpis, type VariantKpis } from "../../sim/kpis.js";
import type { MaintenanceReport } from "../../sim/maintenance.js";
import type { ClearedInterval } from "../../sim/run.js";
import type { BatteryPolicy, SimulationInput } from "../../sim/types.js";
import { SimulationLedger } from "../../store/simulationLedger.js";
import type { CommandContext } from "../context.js";
import { positiveInt } from "../flags.js";
import { writeFileAtomic } from "../io.js";
import { csvCell, toCsv, toJson, toTable } from "../output.js";

export interface SimulateFlags {
  out?: string;
  compare?: string;
  homes?: string;
  days?: string;
  ledger?: string;
  signOrders?: boolean;
  json?: boolean;
  mechanism?: string;
  batteryPolicy?: string;
}

function mechanismList(text: string | undefined): MechanismName[] {
  if (text === undefined || text.trim() === "") return [];
  return text.split(",").map((raw) => {
    const name = raw.trim();
    if (!(MECHANISM_NAMES as readonly string[]).includes(name)) {
      throw new InputError(
        "E_USAGE",
        `--compare: expected mechanisms from ${MECHANISM_NAMES.join(", ")}, received ${JSON.stringify(name)}`,
      );
    }
    return name as MechanismName;
  });
}

const ledgerFlag = (v: string | undefined) => {
  if (v === undefined) return undefined;
  if (v !== "on" && v !== "off")
    throw new InputError("E_USAGE", `--ledger: expected on or off, received ${JSON.stringify(v)}`);
  return v === "on";
};

function summaryTable(kpis: Record<string, VariantKpis>, currency: string): string {
  const keys = Object.keys(kpis);
  const label = (k: string) => (k === "p2p" ? `p2p (${kpis[k]?.mechanism})` : k);
  const rows: [string, (v: VariantKpis) => string | number | null][] = [
    [`total bill (${currency})`, (v) => v.total_bill.toFixed(2)],
    [`saving (${currency})`, (v) => v.saving.toFixed(2)],
    ["saving %", (v) => (v.saving_pct === null ? null : v.saving_pct.toFixed(2))],
    [
      "self-sufficiency %",
      (v) => (v.self_sufficiency === null ? null : (100 * v.self_sufficiency).toFixed(1)),
    ],
    [
      "self-consumption %",
      (v) => (v.self_consumption === null ? null : (100 * v.self_consumption).toFixed(1)),
    ],
    ["local traded kWh", (v) => v.local_traded_kwh.toFixed(0)],
    ["grid import kWh", (v) => v.grid_import_kwh.toFixed(0)],
    ["grid export kWh", (v) => v.grid_export_kwh.toFixed(0)],
    ["peak import kW", (v) => v.peak_import_kw.toFixed(1)],
    ["CO2 kg", (v) => v.co2_kg.toFixed(0)],
    ["Gini of savings", (v) => (v.gini_savings === null ? null : v.gini_savings.toFixed(3))],
    ["homes worse off", (v) => (v.mechanism === null ? null : v.homes_worse_off)],
  ];
  const columns = ["kpi", ...keys.map(label)];
  return toTable(
    columns,
    rows.map(([name, f]) =>
      Object.fromEntries([
        ["kpi", name],
        ...keys.map((k) => [label(k), f(kpis[k] as VariantKpis)]),
      ]),
    ),
  );
}

export interface SimulationOutcome {
  readonly kpis: Record<string, VariantKpis>;
  readonly reportPath?: string;
  readonly maintenance?: MaintenanceReport;
  readonly currency?: string;
}

export async function runSimulate(
  ctx: CommandContext,
  scenarioPath: string,
  flags: SimulateFlags,
): Promise<SimulationOutcome> {
  const homes = positiveInt(flags.homes, "--homes");
  const days = positiveInt(flags.days, "--days");
  const compare = mechanismList(flags.compare);
  let ledger = ledgerFlag(flags.ledger);
  if (
    flags.mechanism !== undefined &&
    !(MECHANISM_NAMES as readonly string[]).includes(flags.mechanism)
  ) {
    throw new InputError(
      "E_USAGE",
      `--mechanism: expected one of ${MECHANISM_NAMES.join(", ")}, received ${JSON.stringify(flags.mechanism)}`,
    );
  }
  if (
    flags.batteryPolicy !== undefined &&
    flags.batteryPolicy !== "rule" &&
    flags.batteryPolicy !== "optimal" &&
    flags.batteryPolicy !== "mpc"
  )
    throw new InputError(
      "E_USAGE",
      `--battery-policy: expected rule, optimal or mpc, received ${JSON.stringify(flags.batteryPolicy)}`,
    );
  if (flags.out === undefined && ledger === true)
    throw new InputError("E_USAGE", "--ledger on: needs --out <dir> to write the ledger to");
  if (flags.out === undefined) ledger = false;
  if (flags.signOrders && ledger === false)
    throw new InputError("E_USAGE", "--sign-orders: only with the ledger on (and --out)");

  // Everything that can be wrong with the scenario or its data fails here, before any write.
  const t0 = performance.now();
  const loaded = await loadScenarioFile(scenarioPath, {
    ...(homes === undefined ? {} : { homes }),
    ...(days === undefined ? {} : { days }),
    compare,
    ...(ledger === undefined ? {} : { ledger }),
    signOrders: flags.signOrders === true,
  });
  const chosen = flags.mechanism
    ? {
        ...loaded.input,
        market: { ...loaded.input.market, mechanism: flags.mechanism as MechanismName, kPpm: null },
      }
    : loaded.input;
  const loadSeconds = (performance.now() - t0) / 1000;
  // The flag overrides the scenario's `battery_policy`.
  const input: SimulationInput = {
    ...chosen,
    batteryPolicy:
      (flags.batteryPolicy as BatteryPolicy | undefined) ?? chosen.batteryPolicy ?? "rule",
  };

  const out = flags.out;
  let tradesStream: WriteStream | undefined;
  let simLedger: SimulationLedger | undefined;
  const ledgerTmp = out === undefined ? undefined : join(out, ".ledger-partial");
  // A write that fails (a full disk, a read-only folder) is kept and thrown from the run, not
  // left to crash the process as an unhandled stream error.
  let streamError: Error | undefined;
  if (out !== undefined) {
    await mkdir(out, { recursive: true });
    await removeLeftovers(ctx, out);
    tradesStream = createWriteStream(join(out, ".trades-partial.csv"));
    tradesStream.on("error", (error) => {
      streamError ??= error;
    });
    tradesStream.write(`${[...TRADE_RECORD_COLUMNS, "seller_price_per_kwh"].join(",")}\n`);
    if (input.ledger && ledgerTmp) {
      simLedger = await SimulationLedger.create(ledgerTmp, input);
    }
  }

  const bar =
    ctx.io.stderr.isTTY === true
      ? new cliProgress.SingleBar(
          {
            format:
              "simulating [{bar}] {percentage}% | {value}/{total} intervals | {eta_formatted} left",
            hideCursor: true,
            stream: ctx.io.stderr as NodeJS.WriteStream,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(input.count, 0);
  let csvBuffer = "";
  const splitPrices = (c: ClearedInterval) => c.mechanism.splitPrices;
  const t1 = performance.now();
  const { run, planSeconds } = await runWithBatteryPolicy(input, {
    onProgress: (done) => bar?.update(done),
    ...(simLedger
      ? { participantOf: (i: number) => (simLedger as SimulationLedger).participantOf(i) }
      : {}),
    onInterval: async (c) => {
      if (c.variant !== "p2p") return;
      if (tradesStream) {
        for (const trade of c.result.trades) {
          const r = tradeRecord(trade, splitPrices(c));
          csvBuffer += `${r.transaction_id},${csvCell(r.seller)},${csvCell(r.buyer)},${r.energy_amount_kwh},${r.price_per_kwh},${r.timestamp},${r.status},${r.seller_price_per_kwh ?? ""}\n`;
        }
        if (streamError) throw streamError;
        if (csvBuffer.length > 1 << 20) {
          tradesStream.write(csvBuffer);
          csvBuffer = "";
        }
      }
      if (simLedger) await simLedger.record(c);
    },
  });
  bar?.stop();
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
    const stream = tradesStream as WriteStream;
    stream.write(csvBuffer);
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    if (streamError) throw streamError;
    await rename(join(out, ".trades-partial.csv"), join(out, "trades.csv"));
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
        ctx.io.stderr.write(
          `signed ${simLedger.signatures.toLocaleString("en")} orders in ${(simLedger.signMs / 1000).toFixed(2)} s (--sign-orders)\n`,
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
    ctx.io.stderr.write(
      `wrote ${out}/: results.json, homes.csv, intervals.csv, trades.csv, report.html${ledgerInfo ? ", ledger/" : ""} in ${((performance.now() - t2) / 1000).toFixed(2)} s\n`,
    );
  }
  ctx.io.stderr.write(
    `${input.members.length} homes x ${input.count} intervals, ${run.variants.length} variants: data ${loadSeconds.toFixed(2)} s${planSeconds > 0 ? `, battery plans ${planSeconds.toFixed(2)} s` : ""}, simulation ${simSeconds.toFixed(2)} s${ledgerInfo ? `, ledger ${ledgerInfo.blocks} blocks` : ""}\n`,
  );
  if (flags.json) ctx.io.stdout.write(toJson(results()));
  else ctx.io.stdout.write(summaryTable(kpis, input.currency));
  return reportPath === undefined
    ? { kpis }
    : { kpis, reportPath, currency: input.currency, ...(maintenance ? { maintenance } : {}) };
}

export function registerSimulate(program: Command, ctx: CommandContext): void {
  program
    .command("simulate")
    .description(
      "replay a community from a scenario file: the market against grid only, KPIs, report, ledger",
    )
    .argument(
      "<scenario>",
      "scenario file (JSON; see docs/scenario.md and gridshare scenario schema)",
    )
    .option(
      "--out <dir>",
      "write results.json, homes.csv, intervals.csv, trades.csv, report.html and ledger/ here",
    )
    .option(
      "--compare <m1,m2,...>",
      `also run these mechanisms on the same community: ${MECHANISM_NAMES.join(", ")}`,
    )
    .option("--homes <n>", "draw n homes from the scenario's homes (seeded time shift and scaling)")
    .option("--days <n>", "simulate only the first n days of the period")
    .option(
      "--ledger <on|off>",
      "record the scenario's market in a ledger (default: the scenario's ledger field; needs --out)",
    )
    .option("--sign-orders", "sign every order with its home's key instead of operator attestation")
    .option(
      "--battery-policy <rule|optimal|mpc>",
      "home batteries (default: the scenario's battery_policy, else rule) on the self-consumption rule, on the joint community optimum (perfect day-ahead foresight), or each by its own MPC on its own past (non-anticipative; forecast-driven agents plan against the local market they expect, the others against the tariff)",
    )
    .option("--json", "print results.json instead of the summary table")
    .addHelpText(
      "after",
      `
Examples:
  gridshare simulate scenarios/citylearn-2022.json --out out/ --compare sdr,mmr,mcafee
  gridshare simulate scenarios/citylearn-2022.json --homes 200 --days 30 --ledger off`,
    )
    .action(async (scenario: string, flags: SimulateFlags) => {
      await runSimulate(ctx, scenario, flags);
    });
}

/** The shipped demo scenario. */
export const DEMO_SCENARIO = fileURLToPath(
  new URL("../../../scenarios/citylearn-2022.json", import.meta.url),
);

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command("demo")
    .description(
      "run the shipped CityLearn community for a year: p2p market vs grid only, ledger on, report",
    )
    .option("--out <dir>", "where to write the results", "gridshare-demo")
    .option("--days <n>", "simulate only the first n days")
    .option(
      "--mechanism <m>",
      `the market mechanism: ${MECHANISM_NAMES.join(", ")} (default: uniform)`,
    )
    .option("--compare <m1,m2,...>", "also run these mechanisms")
    .addHelpText("after", "\nExample:\n  gridshare demo --out demo/ --days 90 --mechanism mmr")
    .action(async (flags: { out: string; days?: string; mechanism?: string; compare?: string }) => {
      const outcome = await runSimulate(ctx, DEMO_SCENARIO, {
        out: flags.out,
        ledger: "on",
        ...(flags.days === undefined ? {} : { days: flags.days }),
        ...(flags.mechanism === undefined ? {} : { mechanism: flags.mechanism }),
        ...(flags.compare === undefined ? {} : { compare: flags.compare }),
      });
      const m = outcome.maintenance;
      if (m && m.findings.length > 0)
        ctx.io.stdout.write(
          `\nmaintenance (${m.findings.length} findings, ${m.total_cost} ${outcome.currency ?? ""} of lost energy):\n${m.findings
            .map(
              (f) =>
                `  ${f.subject}: ${f.cause.replace(/_/g, " ")}${f.lost_kwh === null ? "" : `, ${f.lost_kwh} kWh lost`}`,
            )
            .join("\n")}\n`,
        );
      if (outcome.reportPath)
        ctx.io.stdout.write(
          `\nreport: ${outcome.reportPath}\nledger: ${join(flags.out, "ledger")} (check it: gridshare ledger verify ${join(flags.out, "ledger")})\n`,
        );
    });
}

/** What an interrupted run leaves in `--out`; removed (and said) before a new run writes there. */
const LEFTOVERS = [".trades-partial.csv", ".ledger-partial"];

async function removeLeftovers(ctx: CommandContext, out: string): Promise<void> {
  for (const name of LEFTOVERS) {
    const path = join(out, name);
    if ((await stat(path).catch(() => undefined)) === undefined) continue;
    await rm(path, { recursive: true, force: true });
    ctx.io.stderr.write(`removed ${path}, left by an interrupted run\n`);
  }
}
