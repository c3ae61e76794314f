/** `gridshare keys new|show`: Ed25519 identities for participants and operators. */
import type { Command } from "commander";
import { parseKeyDocument, participantIdOf } from "../../ledger/keys.js";
import { writeNewIdentity } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { readJsonInput } from "../io.js";
import { toJson } from "../output.js";

export function registerKeys(program: Command, ctx: CommandContext): void {
  const keys = program.command("keys").description("create and show Ed25519 identities");
  keys
    .command("new")
    .description("create a new identity; the file is written with mode 0600")
    .requiredOption("--out <file>", "where to write the key file")
    .option("--force", "replace an existing file")
    .addHelpText("after", "\nExample:\n  gridshare keys new --out home-1.key")
    .action(async (flags: { out: string; force?: boolean }) => {
      const identity = await writeNewIdentity(flags.out, { force: flags.force === true });
      ctx.io.stdout.write(
        toJson({ participant: identity.participant, public_key: identity.publicKey }),
      );
      ctx.io.stderr.write(`wrote ${flags.out} (mode 0600); keep it private\n`);
    });
  keys
    .command("show")
    .description("print the public part of a key file: { participant, public_key }")
    .argument("<file>", "a key file")
    .addHelpText("after", "\nExample:\n  gridshare keys show home-1.key")
    .action(async (file: string) => {
      const parsed = parseKeyDocument(await readJsonInput(ctx.io, file), file);
      const participant = participantIdOf(parsed.publicKey);
      ctx.io.stdout.write(toJson({ participant, public_key: parsed.publicKey }));
    });
}
