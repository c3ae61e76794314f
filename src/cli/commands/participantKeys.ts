/**
 * `gridshare participant rotate-key` (a member moves to a new key, signed by its current one)
 * and `gridshare participant rebind` (the operator binds a new key to a member that lost its
 * own). The participant's id stays; the new key signs from the interval it is bound from.
 */
import type { Command } from "commander";
import { signAdminAction, signKeyRotation } from "../../app/liveRequests.js";
import { formatInstant } from "../../core/time.js";
import type { Identity } from "../../ledger/keys.js";
import { readIdentity, resolvePublicKey } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { flagOption, instant } from "../flags.js";
import { type ServerClient, serverClient } from "../http.js";
import { nextOpenInterval, participantOfKey } from "../liveKeys.js";
import { printRecord, type ServerFlags, serverOptions } from "../serverCommand.js";

interface BindFlags extends ServerFlags {
  validFrom?: number;
}

const VALID_FROM =
  "the start of the first interval the new key signs for (default: the next interval taking orders)";

async function keyOf(ctx: CommandContext, file: string): Promise<Identity> {
  return readIdentity(file, {
    onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
  });
}

/** Posts a binding to the participant's keys and prints the answer. */
async function postBinding(
  ctx: CommandContext,
  flags: ServerFlags,
  client: ServerClient,
  participant: string,
  document: unknown,
): Promise<void> {
  const answer = await client.post(
    `/v1/participants/${encodeURIComponent(participant)}/keys`,
    document,
  );
  const a = answer.json as Record<string, unknown>;
  printRecord(ctx, flags, {
    participant: a.participant,
    public_key: a.public_key,
    valid_from: a.valid_from,
    replaces: a.replaces,
    created: answer.status === 201,
  });
}

export function registerParticipantKeys(participant: Command, ctx: CommandContext): void {
  serverOptions(
    participant
      .command("rotate-key")
      .description(
        "move to a new key: signed by your current key, with the new key's proof; your id stays",
      )
      .requiredOption("--key <file>", "your current key file")
      .requiredOption("--new-key <file>", "the new key file (gridshare keys new)")
      .addOption(flagOption("--valid-from <start>", VALID_FROM, instant)),
  )
    .addHelpText(
      "after",
      "\nOrders for intervals from --valid-from on must be signed with the new key; your open orders from then on are cancelled. The old key opens no more sessions.\n\nExample:\n  gridshare participant rotate-key --server http://127.0.0.1:8080 --key home-1.key --new-key home-1-2026.key",
    )
    .action(async (flags: BindFlags & { key: string; newKey: string }) => {
      const current = await keyOf(ctx, flags.key);
      const next = await keyOf(ctx, flags.newKey);
      const client = serverClient(flags.server);
      const id = await participantOfKey(client, current.publicKey, current.participant);
      const from = flags.validFrom ?? (await nextOpenInterval(client));
      const document = signKeyRotation(id, current, next, from, Date.now());
      await postBinding(ctx, flags, client, id, document);
    });

  serverOptions(
    participant
      .command("rebind")
      .description("bind a new key to a member that lost its own (operator); its id stays")
      .requiredOption("--operator-key <file>", "the community's admin key file")
      .requiredOption("--id <participant>", "the participant's id")
      .requiredOption("--public-key <key>", "the new public key (hex or key file)")
      .addOption(flagOption("--valid-from <start>", VALID_FROM, instant)),
  )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare participant rebind --server http://127.0.0.1:8080 --operator-key admin.key --id gs1f... --public-key home-1-new.pub",
    )
    .action(async (flags: BindFlags & { operatorKey: string; id: string; publicKey: string }) => {
      const admin = await keyOf(ctx, flags.operatorKey);
      const client = serverClient(flags.server);
      const from = flags.validFrom ?? (await nextOpenInterval(client));
      const action = {
        action: "participant.rebind",
        participant: flags.id,
        public_key: await resolvePublicKey(flags.publicKey),
        valid_from: formatInstant(from),
      };
      await postBinding(ctx, flags, client, flags.id, signAdminAction(action, admin, Date.now()));
    });
}
