/** `gridshare hosting`: how much PV each bus of a feeder can take. */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { hostingStudy } from "../../app/hosting.js";
import { InputError } from "../../core/errors.js";
import { parsePhase } from "../../formats/feederFiles.js";
import { feederMap } from "../../report/feederMap.js";
import type { CommandContext } from "../context.js";
import { writeFileAtomic } from "../io.js";
import { toCsv, toJson } from "../output.js";

export interface HostingFlags {
  feeder?: string;
  minute?: string;
  phase?: string;
  sourcePu?: string;
  maxKwp?: string;
  out?: string;
}

function usage(flag: string, expected: string, received: string | undefined): InputError {
  return new InputError(
    "E_USAGE",
    `${flag}: expected ${expected}, received ${JSON.stringify(received)}`,
  );
}

export async function runHosting(ctx: CommandContext, flags: HostingFlags) {
  if (flags.feeder === undefined) throw new InputError("E_USAGE", "--feeder <dir>: required");
  const pu = flags.sourcePu === undefined ? undefined : Number(flags.sourcePu);
  if (pu !== undefined && !(pu > 0.8 && pu < 1.2))
    throw usage("--source-pu", "a set point from 0.8 to 1.2", flags.sourcePu);
  const phase =
    flags.phase === undefined || flags.phase.toLowerCase() === "abc"
      ? "abc"
      : (parsePhase(flags.phase) as 0 | 1 | 2 | undefined);
  if (phase === undefined) throw usage("--phase", "abc, A, B or C", flags.phase);
  const maxKwp = flags.maxKwp === undefined ? 200 : Number(flags.maxKwp);
  if (!(maxKwp > 0)) throw usage("--max-kwp", "kWp above 0", flags.maxKwp);
  const minute = flags.minute === undefined ? undefined : Number(flags.minute);
  if (minute !== undefined && !(Number.isInteger(minute) && minute >= 1 && minute <= 1440))
    throw usage("--minute", "a whole minute from 1 to 1440", flags.minute);
  const study = await hostingStudy({
    feederDir: flags.feeder,
    phase,
    maxKwp,
    ...(pu === undefined ? {} : { sourcePu: pu }),
    ...(minute === undefined ? {} : { minute }),
  });
  if (flags.out !== undefined) {
    const { feeder } = study;
    const tmp = join(flags.out, ".hosting-partial");
    await mkdir(tmp, { recursive: true });
    await writeFileAtomic(
      join(tmp, "hosting.csv"),
      toCsv(["bus", "x", "y", "hosting_kwp", "limit"], study.buses),
    );
    const written = ["hosting.csv"];
    if (feeder.spec.coords) {
      await writeFileAtomic(
        join(tmp, "hosting.svg"),
        feederMap({
          feeder,
          values: study.result.kwp,
          title: `PV hosting capacity per bus, minute ${study.minute}, source ${feeder.spec.source.pu} pu`,
          unit: "kWp",
        }),
      );
      written.push("hosting.svg");
    }
    for (const name of written) await rename(join(tmp, name), join(flags.out, name));
    await rm(tmp, { recursive: true, force: true });
    ctx.io.stderr.write(`wrote ${flags.out}/: ${written.join(", ")}\n`);
  }
  ctx.io.stdout.write(toJson(study.record));
  return study.record;
}

export function registerHosting(program: Command, ctx: CommandContext): void {
  program
    .command("hosting")
    .description(
      "the largest PV each bus of a feeder can take before a voltage, line or transformer limit",
    )
    .requiredOption("--feeder <dir>", "feeder directory (see docs/grid.md), e.g. data/ieee-eulv")
    .option("--minute <n>", "the base case's minute of the day (default: the lightest minute)")
    .option("--phase <abc|A|B|C>", "PV split over the three phases (default) or on one phase")
    .option("--source-pu <pu>", "override the MV source's set point (the feeder's own by default)")
    .option("--max-kwp <kWp>", "upper end of the search (default 200)")
    .option(
      "--out <dir>",
      "write hosting.csv (bus, x, y, hosting_kwp, limit) and hosting.svg (a map)",
    )
    .addHelpText(
      "after",
      `
Examples:
  gridshare hosting --feeder data/ieee-eulv --out hosting/
  gridshare hosting --feeder data/ieee-eulv --source-pu 1.0 --phase A --out hosting-a/`,
    )
    .action(async (flags: HostingFlags) => {
      await runHosting(ctx, flags);
    });
}
