/** `gridshare outage`: how the community fares when the upstream grid fails. */

import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { MS_PER_MINUTE } from "../../core/time.js";
import { roundTo } from "../../core/units.js";
import { loadScenarioFile } from "../../formats/scenario.js";
import { simulateOutage } from "../../sim/outage.js";
import type { CommandContext } from "../context.js";
import { flagOption, instantReader, numberReader } from "../flags.js";
import { toJson, toTable } from "../output.js";

export interface OutageFlags {
  start?: number;
  hours?: number;
  critical?: number;
  json?: boolean;
}

/** `--hours`: how long, above 0. */
const outageHours = numberReader("hours above 0", (hours) => hours > 0);

/** `--critical`: the critical share of a home's load. */
const criticalShare = numberReader("a share from 0 to 1", (share) => share >= 0 && share <= 1);

export async function runOutage(ctx: CommandContext, scenarioPath: string, flags: OutageFlags) {
  const hours = flags.hours ?? 24;
  const critical = flags.critical ?? 0.3;
  const loaded = await loadScenarioFile(scenarioPath, { ledger: false });
  const input = loaded.input;
  const stepMs = input.stepMinutes * MS_PER_MINUTE;
  const startMs = flags.start ?? input.startMs;
  const start = Math.round((startMs - input.startMs) / stepMs);
  const intervals = Math.round((hours * 60) / input.stepMinutes);
  if (start < 0 || start + intervals > input.count)
    throw new InputError(
      "E_USAGE",
      `--start/--hours: the outage must lie within the scenario's period (${input.count} intervals of ${input.stepMinutes} min from ${new Date(input.startMs).toISOString()})`,
    );
  const results = simulateOutage(input, { start, intervals, criticalShare: critical });
  const doc = {
    scenario: input.name,
    homes: input.members.length,
    start: new Date(input.startMs + start * stepMs).toISOString(),
    hours,
    critical_share: critical,
    setups: results.map((r) => ({
      setup: r.setup,
      demand_kwh: roundTo(r.demandKwh, 3),
      not_served_kwh: roundTo(r.notServedKwh, 3),
      critical_not_served_kwh: roundTo(r.criticalNotServedKwh, 3),
      homes_keeping_power: r.homesKeepingPower,
      autonomy_hours: roundTo(r.autonomyHours, 2),
      mean_home_autonomy_hours: roundTo(r.meanHomeAutonomyHours, 2),
    })),
  };
  if (flags.json) ctx.io.stdout.write(toJson(doc));
  else
    ctx.io.stdout.write(
      toTable(
        [
          "setup",
          "not served kWh",
          "critical not served kWh",
          "homes keeping power",
          "autonomy h",
          "mean home autonomy h",
        ],
        doc.setups.map((s) => ({
          setup: s.setup,
          "not served kWh": s.not_served_kwh.toFixed(1),
          "critical not served kWh": s.critical_not_served_kwh.toFixed(1),
          "homes keeping power": `${s.homes_keeping_power}/${doc.homes}`,
          "autonomy h": s.autonomy_hours.toFixed(1),
          "mean home autonomy h": s.mean_home_autonomy_hours.toFixed(1),
        })),
      ),
    );
  return doc;
}

export function registerOutage(program: Command, ctx: CommandContext): void {
  program
    .command("outage")
    .description(
      "the upstream grid fails: energy not served and homes keeping power, alone or sharing, with or without batteries",
    )
    .argument("<scenario>", "scenario file (see docs/scenario.md)")
    .addOption(
      flagOption(
        "--start <time>",
        "when the outage starts (ISO 8601 with offset; default the period's start)",
        instantReader("an ISO 8601 time with offset"),
      ),
    )
    .addOption(flagOption("--hours <h>", "how long it lasts (default 24)", outageHours))
    .addOption(
      flagOption(
        "--critical <share>",
        "share of each home's load that is critical and served first (default 0.3)",
        criticalShare,
      ),
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Example:
  gridshare outage scenarios/citylearn-2022.json --start 2016-08-10T18:00:00-08:00 --hours 36`,
    )
    .action(async (scenario: string, flags: OutageFlags) => {
      await runOutage(ctx, scenario, flags);
    });
}
