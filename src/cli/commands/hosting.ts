/** `gridshare hosting`: how much PV each bus of a feeder can take. */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { hostingStudy } from "../../app/hosting.js";
import { InputError } from "../../core/errors.js";
import { parsePhase } from "../../formats/feederFiles.js";
import { feederMap } from "../../report/feederMap.js";
import type { CommandContext } from "../context.js";
import { type FlagReader, flagOption, numberReader, usageError } from "../flags.js";
import { writeFileAtomic } from "../io.js";
import { toCsv, toJson } from "../output.js";

type Phases = "abc" | 0 | 1 | 2;

export interface HostingFlags {
  feeder?: string;
  minute?: number;
  phase?: Phases;
  sourcePu?: number;
  maxKwp?: number;
  out?: string;
}

/** `--phase`: all three (abc, any case) or one, as A, B, C or 1, 2, 3. */
const phases: FlagReader<Phases> = (text, flag) => {
  if (text.toLowerCase() === "abc") return "abc";
  const phase = parsePhase(text) as 0 | 1 | 2 | undefined;
  if (phase === undefined) throw usageError(flag, "abc, A, B or C", text);
  return phase;
};

/** `--source-pu`: the MV source's set point, strictly between 0.8 and 1.2. */
const sourcePu = numberReader("a set point from 0.8 to 1.2", (pu) => pu > 0.8 && pu < 1.2);

/** `--max-kwp`: the top of the search. */
const maxKwp = numberReader("kWp above 0", (kwp) => kwp > 0);

/** `--minute`: a minute of the day. */
const minuteOfDay = numberReader(
  "a whole minute from 1 to 1440",
  (m) => Number.isInteger(m) && m >= 1 && m <= 1440,
);

export async function runHosting(ctx: CommandContext, flags: HostingFlags) {
  if (flags.feeder === undefined) throw new InputError("E_USAGE", "--feeder <dir>: required");
  const { sourcePu: pu, minute } = flags;
  const study = await hostingStudy({
    feederDir: flags.feeder,
    phase: flags.phase ?? "abc",
    maxKwp: flags.maxKwp ?? 200,
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
    .addOption(
      flagOption(
        "--minute <n>",
        "the base case's minute of the day (default: the lightest minute)",
        minuteOfDay,
      ),
    )
    .addOption(
      flagOption(
        "--phase <abc|A|B|C>",
        "PV split over the three phases (default) or on one phase",
        phases,
      ),
    )
    .addOption(
      flagOption(
        "--source-pu <pu>",
        "override the MV source's set point (the feeder's own by default)",
        sourcePu,
      ),
    )
    .addOption(flagOption("--max-kwp <kWp>", "upper end of the search (default 200)", maxKwp))
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
