/**
 * `gridshare community init|schema`: the live community's configuration file; `community update`
 * (communityUpdate.ts) changes a live community's rules.
 */
import type { Command } from "commander";
import { initCommunity } from "../../app/communityInit.js";
import { communityJsonSchema } from "../../formats/communityFile.js";
import type { CommandContext } from "../context.js";
import { toJson } from "../output.js";
import { registerCommunityUpdate } from "./communityUpdate.js";

interface InitFlags {
  operatorKey: string;
  blockKey?: string;
  out: string;
  id?: string;
  name?: string;
  timeZone?: string;
  currency?: string;
  force?: boolean;
}

export function registerCommunity(program: Command, ctx: CommandContext): void {
  const community = program
    .command("community")
    .description(
      "the live community's file (a starting file, its JSON Schema) and updates to its rules",
    );
  community
    .command("init")
    .description("write a starting community file with every field at its default")
    .requiredOption(
      "--operator-key <key>",
      "the operator's admin key (key file or hex public key): registrations, suspensions, updates",
    )
    .option(
      "--block-key <key>",
      "the server's block-signing key (key file or hex public key); default: the admin key",
    )
    .requiredOption("--out <file>", "where to write the community file")
    .option("--id <id>", "the community's id (default: community)")
    .option("--name <name>", "the community's name (default: Energy community)")
    .option("--time-zone <tz>", "an IANA time zone (default: UTC)")
    .option("--currency <code>", "an ISO 4217 currency code (default: EUR)")
    .option("--force", "replace an existing file")
    .addHelpText(
      "after",
      "\nExample:\n  gridshare keys new --out admin.key\n  gridshare keys new --out signing.key\n  gridshare community init --operator-key admin.key --block-key signing.key --out community.json --time-zone Europe/Berlin",
    )
    .action(async (flags: InitFlags) => {
      const { document, oneKey } = await initCommunity({
        adminKey: flags.operatorKey,
        out: flags.out,
        force: flags.force === true,
        ...(flags.blockKey === undefined ? {} : { blockKey: flags.blockKey }),
        ...(flags.id === undefined ? {} : { id: flags.id }),
        ...(flags.name === undefined ? {} : { name: flags.name }),
        ...(flags.timeZone === undefined ? {} : { timeZone: flags.timeZone }),
        ...(flags.currency === undefined ? {} : { currency: flags.currency }),
      });
      const keys = oneKey
        ? "one key for both operator roles"
        : "an admin key and a block-signing key";
      ctx.io.stdout.write(
        `wrote ${flags.out}: community ${document.id}, ${document.interval_minutes}-minute intervals, ${keys}; set its tariff before serving\n`,
      );
    });
  community
    .command("schema")
    .description("print the JSON Schema of community files")
    .action(() => {
      ctx.io.stdout.write(toJson(communityJsonSchema()));
    });
  registerCommunityUpdate(community, ctx);
}
