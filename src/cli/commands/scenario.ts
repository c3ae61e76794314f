/** `gridshare scenario schema|check`: the scenario file format, and checking a file with its data. */
import type { Command } from "commander";
import { formatInstant, MS_PER_MINUTE } from "../../core/time.js";
import { loadScenarioFile } from "../../formats/scenario.js";
import { scenarioJsonSchema } from "../../formats/scenarioSchema.js";
import type { CommandContext } from "../context.js";
import { toJson } from "../output.js";

export function registerScenario(program: Command, ctx: CommandContext): void {
  const scenario = program
    .command("scenario")
    .description("the scenario file: its JSON Schema, and checking a file");
  scenario
    .command("schema")
    .description("print the JSON Schema of scenario files")
    .action(() => {
      ctx.io.stdout.write(toJson(scenarioJsonSchema()));
    });
  scenario
    .command("check")
    .description("validate a scenario file and load all its data, without simulating")
    .argument("<scenario>", "scenario file")
    .option("--homes <n>", "as simulate --homes")
    .option("--days <n>", "as simulate --days")
    .addHelpText("after", "\nExample:\n  gridshare scenario check scenarios/citylearn-2022.json")
    .action(async (file: string, flags: { homes?: string; days?: string }) => {
      const loaded = await loadScenarioFile(file, {
        ...(flags.homes === undefined ? {} : { homes: Number(flags.homes) }),
        ...(flags.days === undefined ? {} : { days: Number(flags.days) }),
      });
      const i = loaded.input;
      const end = i.startMs + i.count * i.stepMinutes * MS_PER_MINUTE;
      ctx.io.stdout.write(
        `ok: ${i.name}: ${i.members.length} homes, ${formatInstant(i.startMs)} to ${formatInstant(end)}, ${i.count} intervals of ${i.stepMinutes} min, market ${i.market.mechanism}, ${i.members.filter((m) => m.pvKwh).length} with PV, ${i.members.filter((m) => m.battery).length} with a battery, ${i.members.filter((m) => m.ev).length} with an EV, ${i.members.filter((m) => m.windKwh).length} with wind${i.communityBattery ? ", community battery" : ""}\n`,
      );
    });
}
