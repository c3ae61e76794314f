/** `gridshare demo`: the shipped community for a year, with its ledger and report. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { MECHANISM_NAMES, type MechanismName } from "../../market/types.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, mechanismList, positiveInt } from "../flags.js";
import { runSimulate } from "./simulate.js";

/** The shipped demo scenario. */
export const DEMO_SCENARIO = fileURLToPath(
  new URL("../../../scenarios/citylearn-2022.json", import.meta.url),
);

interface DemoFlags {
  out: string;
  days?: number;
  mechanism?: MechanismName;
  compare?: MechanismName[];
}

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command("demo")
    .description(
      "run the shipped CityLearn community for a year: p2p market vs grid only, ledger on, report",
    )
    .option("--out <dir>", "where to write the results", "gridshare-demo")
    .addOption(flagOption("--days <n>", "simulate only the first n days", positiveInt))
    .addOption(
      flagOption(
        "--mechanism <m>",
        `the market mechanism: ${MECHANISM_NAMES.join(", ")} (default: uniform)`,
        choiceReader(MECHANISM_NAMES),
      ),
    )
    .addOption(flagOption("--compare <m1,m2,...>", "also run these mechanisms", mechanismList))
    .addHelpText("after", "\nExample:\n  gridshare demo --out demo/ --days 90 --mechanism mmr")
    .action(async (flags: DemoFlags) => {
      const outcome = await runSimulate(ctx, DEMO_SCENARIO, {
        out: flags.out,
        ledger: true,
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
