/** `gridshare optimize community`: flags, one call, rendering. */
import type { Command } from "commander";
import { type DemandResponseEvent, optimizeCommunity } from "../../app/optimizeCommunity.js";
import { InputError } from "../../core/errors.js";
import type { CommandContext } from "../context.js";
import { flagOption, instant, numberReader, positiveNumber } from "../flags.js";
import { keyValues, toJson } from "../output.js";

export interface CommunityFlags {
  days?: number;
  homes?: number;
  windowHours?: number;
  drStart?: number;
  drEnd?: number;
  drCap?: number;
  drPrice?: number;
  json?: boolean;
}

/** `--dr-cap`: kW of 0 or more. */
const capKw = numberReader("kW of 0 or more", (kw) => kw >= 0);

/** `--dr-price`: any finite price per kWh, a negative one too. */
const pricePerKwh = numberReader("a price per kWh", Number.isFinite);

/** The demand-response event given on the command line, if any. */
function drEvent(flags: CommunityFlags): DemandResponseEvent | undefined {
  if ((flags.drStart ?? flags.drEnd ?? flags.drCap ?? flags.drPrice) === undefined)
    return undefined;
  // An event needs both ends; a missing one is refused as an empty time.
  const at = (ms: number | undefined, flag: string) => ms ?? instant("", flag);
  const startMs = at(flags.drStart, "--dr-start");
  const endMs = at(flags.drEnd, "--dr-end");
  const { drCap: cap, drPrice: price } = flags;
  if (cap === undefined && price === undefined)
    throw new InputError(
      "E_USAGE",
      "a demand-response event needs --dr-cap <kW> or --dr-price <per kWh>",
    );
  return { startMs, endMs, importCapKw: cap, priceAdderPerKwh: price };
}

export async function runOptimizeCommunity(
  ctx: CommandContext,
  scenarioPath: string,
  flags: CommunityFlags,
) {
  const { days, homes, windowHours } = flags;
  const event = drEvent(flags);
  const { record: doc, batteryBenefit } = await optimizeCommunity({
    scenarioPath,
    ...(days === undefined ? {} : { days }),
    ...(homes === undefined ? {} : { homes }),
    ...(windowHours === undefined ? {} : { windowHours }),
    ...(event === undefined ? {} : { event }),
  });
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else {
    const dr = doc.demand_response;
    const cur = doc.currency;
    ctx.io.stdout.write(
      keyValues([
        ["homes", doc.homes],
        ["steps", doc.steps],
        [`community cost (${cur})`, doc.cost.toFixed(2)],
        ["grid import kWh", doc.grid_import_kwh.toFixed(1)],
        ["grid export kWh", doc.grid_export_kwh.toFixed(1)],
        ["peak import kW", doc.peak_import_kw.toFixed(2)],
        [`community battery benefit (${cur})`, batteryBenefit?.toFixed(2) ?? null],
        ["demand response: peak reduced kW", dr ? (dr.peak_reduced_kw as number) : null],
        [`demand response: cost (${cur})`, dr ? (dr.cost_of_response as number) : null],
        ["LP solves", doc.solves],
        ["seconds", doc.seconds],
      ]),
    );
  }
  return doc;
}

export function registerOptimizeCommunity(optimize: Command, ctx: CommandContext): void {
  optimize
    .command("community")
    .description(
      "schedule every home battery and the community battery together for the lowest community cost",
    )
    .argument("<scenario>", "scenario file (see docs/scenario.md)")
    .addOption(flagOption("--days <n>", "only the first n days of the period", positiveNumber))
    .addOption(flagOption("--homes <n>", "draw n homes from the scenario's homes", positiveNumber))
    .addOption(
      flagOption(
        "--window-hours <h>",
        "each solve sees this far ahead and keeps the first half (default 48)",
        positiveNumber,
      ),
    )
    .addOption(
      flagOption(
        "--dr-start <time>",
        "a demand-response event: start (ISO 8601 with offset)",
        instant,
      ),
    )
    .addOption(flagOption("--dr-end <time>", "the event's end", instant))
    .addOption(
      flagOption("--dr-cap <kW>", "the event caps the community's import at this many kW", capKw),
    )
    .addOption(
      flagOption(
        "--dr-price <per kWh>",
        "or adds this price per kWh imported during the event",
        pricePerKwh,
      ),
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  gridshare optimize community scenarios/all-features.json --days 7
  gridshare optimize community scenarios/citylearn-2022.json --days 3 \\
      --dr-start 2016-08-02T17:00:00-08:00 --dr-end 2016-08-02T21:00:00-08:00 --dr-cap 20`,
    )
    .action(async (scenario: string, flags: CommunityFlags) => {
      await runOptimizeCommunity(ctx, scenario, flags);
    });
}
