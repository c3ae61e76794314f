/**
 * `gridshare community update`: the operator's signed change of a live community's market rules
 * (mechanism and k, tariff, gate closure, opening hours) from a later interval on.
 */
import type { Command } from "commander";
import { communityUpdateAction, communityUpdateRecord } from "../../app/communityUpdate.js";
import { signAdminAction } from "../../app/liveRequests.js";
import { InputError } from "../../core/errors.js";
import { ppmToK } from "../../core/units.js";
import type { Mechanism } from "../../market/types.js";
import { readIdentity } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { flagOption, instant, kInPpm, marketMechanism, numberReader } from "../flags.js";
import { serverClient } from "../http.js";
import { readJsonInput } from "../io.js";
import { printRecord, type ServerFlags, serverOptions } from "../serverCommand.js";

interface UpdateFlags extends ServerFlags {
  operatorKey: string;
  from: number;
  mechanism?: Mechanism;
  k?: number;
  gateClosureMinutes?: number;
  openHours?: number;
  tariff?: string;
}

const wholeMinutes = numberReader(
  "a whole number of minutes, 0 or more",
  (n) => Number.isSafeInteger(n) && n >= 0,
);
const wholeHours = numberReader(
  "a whole number of hours, 1 or more",
  (n) => Number.isSafeInteger(n) && n >= 1,
);

export function registerCommunityUpdate(community: Command, ctx: CommandContext): void {
  serverOptions(
    community
      .command("update")
      .description(
        "change a live community's market rules from a later interval on (the operator's signed document)",
      )
      .requiredOption("--operator-key <file>", "the community's admin key file")
      .addOption(
        flagOption(
          "--from <time>",
          "the start of the interval it takes effect from (ISO 8601): no interval from it on may have opened for orders",
          instant,
        ).makeOptionMandatory(),
      )
      .addOption(flagOption("--mechanism <name>", "the clearing mechanism", marketMechanism))
      .addOption(
        flagOption(
          "--k <k>",
          "k of k-pricing, 0 to 1 (with --mechanism; default: its own)",
          kInPpm,
        ),
      )
      .addOption(
        flagOption(
          "--gate-closure-minutes <n>",
          "orders close this many minutes before an interval starts",
          wholeMinutes,
        ),
      )
      .addOption(
        flagOption(
          "--open-hours <n>",
          "orders open this many hours before an interval starts",
          wholeHours,
        ),
      )
      .option("--tariff <file>", "the tariff block, in the community file's form (JSON), or -"),
  )
    .addHelpText(
      "after",
      "\nA field left out stays as it is; a later update for the same interval replaces this one whole.\n\nExample:\n  gridshare community update --server http://127.0.0.1:8080 --operator-key admin.key --from 2026-06-02T00:00:00Z --mechanism mcafee --gate-closure-minutes 10",
    )
    .action(async (flags: UpdateFlags) => {
      if (flags.k !== undefined && flags.mechanism === undefined)
        throw new InputError(
          "E_USAGE",
          "--k: give --mechanism with it (an update's market block names the mechanism and its k together)",
        );
      const changes = [flags.mechanism, flags.tariff, flags.gateClosureMinutes, flags.openHours];
      if (changes.every((c) => c === undefined))
        throw new InputError(
          "E_USAGE",
          "nothing to change: give --mechanism, --tariff, --gate-closure-minutes or --open-hours",
        );
      const action = communityUpdateAction({
        fromMs: flags.from,
        ...(flags.mechanism === undefined ? {} : { mechanism: flags.mechanism.name }),
        ...(flags.k === undefined ? {} : { k: ppmToK(flags.k) }),
        ...(flags.gateClosureMinutes === undefined
          ? {}
          : { gateClosureMinutes: flags.gateClosureMinutes }),
        ...(flags.openHours === undefined ? {} : { openHours: flags.openHours }),
        ...(flags.tariff === undefined
          ? {}
          : {
              tariff: await readJsonInput(ctx.io, flags.tariff),
              tariffSource: flags.tariff === "-" ? "standard input" : flags.tariff,
            }),
      });
      const admin = await readIdentity(flags.operatorKey, {
        onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
      });
      const answer = await serverClient(flags.server).post(
        "/v1/community/updates",
        signAdminAction(action, admin, Date.now()),
      );
      printRecord(ctx, flags, {
        ...communityUpdateRecord(answer.json as Parameters<typeof communityUpdateRecord>[0]),
        created: answer.status === 201,
      });
    });
}
