/** `gridshare simulate` and `gridshare demo`: replay a community and compare market designs. */

import type { Command } from "commander";
import { runStudy } from "../../app/study.js";
import { InputError } from "../../core/errors.js";
import { MECHANISM_NAMES, type MechanismName } from "../../market/types.js";
import type { VariantKpis } from "../../sim/kpis.js";
import type { MaintenanceReport } from "../../sim/maintenance.js";
import { BATTERY_POLICIES, batteryPolicyOf } from "../../sim/types.js";
import type { CommandContext } from "../context.js";
import { choiceReader, positiveInt, readGiven } from "../flags.js";
import { summaryTable } from "../kpiTable.js";
import { progressBar, toJson } from "../output.js";

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
  const homes = readGiven(flags.homes, "--homes", positiveInt);
  const days = readGiven(flags.days, "--days", positiveInt);
  const compare = mechanismList(flags.compare);
  let ledger = ledgerFlag(flags.ledger);
  const mechanism = readGiven(flags.mechanism, "--mechanism", choiceReader(MECHANISM_NAMES));
  const policyName = readGiven(
    flags.batteryPolicy,
    "--battery-policy",
    choiceReader(
      [...BATTERY_POLICIES, "optimal"] as const,
      "rule, perfect or mpc (optimal is accepted for perfect)",
    ),
  );
  const batteryPolicy = policyName === undefined ? undefined : batteryPolicyOf(policyName);
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
      homes,
      days,
      compare,
      ledger,
      signOrders: flags.signOrders === true,
      mechanism,
      batteryPolicy,
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
      "--battery-policy <rule|perfect|mpc>",
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
