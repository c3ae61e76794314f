/** `gridshare health`: the state of the community's equipment. */
import type { Command } from "commander";
import { pvHealth } from "../../app/health.js";
import { InputError } from "../../core/errors.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, numberReader } from "../flags.js";
import { toJson, toTable } from "../output.js";
import { registerHealthBattery } from "./healthBattery.js";

export interface PvHealthFlags {
  dataset: "citylearn" | "csv";
  data?: string;
  kwp?: string;
  timeColumn?: string;
  utcOffset?: number;
  json?: boolean;
}

/** `--utc-offset`: hours from -14 to 14. */
const utcOffsetHours = numberReader(
  "hours from -14 to 14",
  (hours) => Number.isFinite(hours) && Math.abs(hours) <= 14,
);

export async function runPvHealth(ctx: CommandContext, flags: PvHealthFlags) {
  const { dataset, utcOffset: offset } = flags;
  if (dataset === "csv" && flags.data === undefined)
    throw new InputError("E_USAGE", "--data <csv>: required with --dataset csv");
  if (dataset === "csv" && flags.kwp === undefined)
    throw new InputError(
      "E_USAGE",
      '--kwp <json>: required with --dataset csv, e.g. { "home-1": 4.2 }',
    );
  const doc = await pvHealth({
    source:
      dataset === "citylearn"
        ? { dataset }
        : {
            dataset,
            dataPath: flags.data as string,
            kwpPath: flags.kwp as string,
            timeColumn: flags.timeColumn,
          },
    ...(offset === undefined ? {} : { utcOffsetHours: offset }),
  });
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    const span = (d: string[]) =>
      d.length === 0
        ? ""
        : d.length === 1
          ? (d[0] as string)
          : `${d.length} days, ${d[0]} to ${d[d.length - 1]}`;
    ctx.io.stdout.write(
      toTable(
        ["system", "verdict", "expected kWh", "measured kWh", "confidence", "days", "evidence"],
        doc.systems.map((v) => ({
          system: v.id,
          verdict: v.cause ?? "healthy",
          "expected kWh": v.expected_kwh,
          "measured kWh": v.measured_kwh,
          confidence: v.flagged ? v.confidence : "",
          days: span(v.days_affected),
          evidence: v.detail,
        })),
      ),
    );
  }
  return doc;
}

export function registerHealth(program: Command, ctx: CommandContext): void {
  const health = program
    .command("health")
    .description("equipment health: PV systems and batteries");
  health
    .command("pv")
    .description(
      "PV systems against their peers, day by day: outages, shading, wrong kWp on record, derates, soiling, degradation",
    )
    .addOption(
      flagOption(
        "--dataset <name>",
        "citylearn (the shipped community) or csv",
        choiceReader(["citylearn", "csv"] as const, "citylearn or csv"),
      ).default("citylearn"),
    )
    .option("--data <csv>", "with --dataset csv: a time column, then kWh per interval per system")
    .option("--kwp <json>", 'with --dataset csv: each system\'s kWp, e.g. { "home-1": 4.2 }')
    .option("--time-column <name>", "with --dataset csv: the time column (default: the first)")
    .addOption(
      flagOption(
        "--utc-offset <hours>",
        "local day for the comparison (default -8 for CityLearn, 0 for csv)",
        utcOffsetHours,
      ),
    )
    .option(
      "--json",
      "print { systems: [ { id, flagged, cause, expected_kwh, measured_kwh, confidence, days_affected, ... } ] }",
    )
    .addHelpText(
      "after",
      `
Example:
  gridshare health pv --dataset citylearn --json`,
    )
    .action(async (flags: PvHealthFlags) => {
      await runPvHealth(ctx, flags);
    });
  registerHealthBattery(health, ctx);
}
