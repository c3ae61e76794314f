/** `gridshare simulate` and `gridshare demo`: replay a community and compare market designs. */

import type { Command } from "commander";
import { runStudy } from "../../app/study.js";
import { InputError } from "../../core/errors.js";
import { MECHANISM_NAMES, type MechanismName } from "../../market/types.js";
import type { VariantKpis } from "../../sim/kpis.js";
import type { MaintenanceReport } from "../../sim/maintenance.js";
import type { BatteryPolicy } from "../../sim/types.js";
import type { CommandContext } from "../context.js";
import { batteryPolicy, flagOption, ledgerSwitch, mechanismList, positiveInt } from "../flags.js";
import { summaryTable } from "../kpiTable.js";
import { progressBar, toJson } from "../output.js";

export interface SimulateFlags {
  out?: string;
  compare?: MechanismName[];
  homes?: number;
  days?: number;
  ledger?: boolean;
  signOrders?: boolean;
  json?: boolean;
  mechanism?: MechanismName;
  batteryPolicy?: BatteryPolicy;
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
  let { ledger } = flags;
  if (flags.out === undefined && ledger === true)
    throw new InputError("E_USAGE", "--ledger on: needs --out <dir> to write the ledger to");
  if (flags.out === undefined) ledger = false;
  if (flags.signOrders && ledger === false)
    throw new InputError("E_USAGE", "--sign-orders: only with the ledger on (and --out)");

  const bar = progressBar(
    ctx,
    "simulating [{bar}] {percentage}% | {value}/{total} intervals | {eta_formatted} left",
  );
  let study: Awaited<ReturnType<typeof runStudy>>;
  try {
    study = await runStudy({
      scenarioPath,
      homes: flags.homes,
      days: flags.days,
      compare: flags.compare ?? [],
      ledger,
      signOrders: flags.signOrders === true,
      mechanism: flags.mechanism,
      batteryPolicy: flags.batteryPolicy,
      out: flags.out,
      onStart: (n) => bar?.start(n, 0),
      onProgress: (done) => bar?.update(done),
      onNote: (message) => {
        bar?.stop();
        ctx.io.stderr.write(`${message}\n`);
      },
    });
  } finally {
    bar?.stop();
  }
  if (flags.json) ctx.io.stdout.write(toJson(study.results()));
  else ctx.io.stdout.write(summaryTable(study.kpis, study.input.currency));
  return study.reportPath === undefined
    ? { kpis: study.kpis }
    : {
        kpis: study.kpis,
        reportPath: study.reportPath,
        currency: study.input.currency,
        ...(study.maintenance ? { maintenance: study.maintenance } : {}),
      };
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
    .addOption(
      flagOption(
        "--compare <m1,m2,...>",
        `also run these mechanisms on the same community: ${MECHANISM_NAMES.join(", ")}`,
        mechanismList,
      ),
    )
    .addOption(
      flagOption(
        "--homes <n>",
        "draw n homes from the scenario's homes (seeded time shift and scaling)",
        positiveInt,
      ),
    )
    .addOption(
      flagOption("--days <n>", "simulate only the first n days of the period", positiveInt),
    )
    .addOption(
      flagOption(
        "--ledger <on|off>",
        "record the scenario's market in a ledger (default: the scenario's ledger field; needs --out)",
        ledgerSwitch,
      ),
    )
    .option("--sign-orders", "sign every order with its home's key instead of operator attestation")
    .addOption(
      flagOption(
        "--battery-policy <rule|perfect|mpc>",
        "home batteries (default: the scenario's battery_policy, else rule) on the self-consumption rule, on the joint community optimum (perfect day-ahead foresight), or each by its own MPC on its own past (non-anticipative; forecast-driven agents plan against the local market they expect, the others against the tariff)",
        batteryPolicy,
      ),
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
