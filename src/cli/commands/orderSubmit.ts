/** `gridshare order submit`: an order signed for its delivery interval and posted to a live platform. */
import type { Command } from "commander";
import { liveOrder, type OrderExpiry, signLiveOrder } from "../../app/liveRequests.js";
import { readIdentity } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { expiryMinutes, flagOption } from "../flags.js";
import { type ServerClient, serverClient } from "../http.js";
import { readJsonInput } from "../io.js";
import { participantOfKey } from "../liveKeys.js";
import { printRecord, type ServerFlags, serverOptions } from "../serverCommand.js";

/** Without `--expires-minutes`, an order expires when its interval ends: the community's length. */
async function expiryOf(client: ServerClient, minutes: number | undefined): Promise<OrderExpiry> {
  if (minutes !== undefined) return { minutesFromNow: minutes };
  const community = (await client.get("/v1/community")) as { interval_minutes: number };
  return { intervalMinutes: community.interval_minutes };
}

export function registerOrderSubmit(order: Command, ctx: CommandContext): void {
  serverOptions(
    order
      .command("submit")
      .description(
        "sign an order for its delivery interval (fresh nonce) and place it on a live platform",
      )
      .argument(
        "<file>",
        "the order as JSON ({ id, side, energy_kwh, price_per_kwh, interval_start }, participant (the key's) and timestamp optional), or -",
      )
      .requiredOption("--key <file>", "the participant's key file (gridshare keys new)")
      .addOption(
        flagOption(
          "--expires-minutes <minutes>",
          "how long the signed order stays valid (default: until its interval ends)",
          expiryMinutes,
        ),
      ),
  )
    .addHelpText(
      "after",
      "\nThe receipt says whether the order is new (201) or the same order as before (200: the same signed bytes).\n\nExample:\n  gridshare order submit --server http://127.0.0.1:8080 --key home-1.key order.json",
    )
    .action(async (file: string, flags: ServerFlags & { key: string; expiresMinutes?: number }) => {
      const identity = await readIdentity(flags.key, {
        onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
      });
      const now = Date.now();
      const raw = await readJsonInput(ctx.io, file);
      const client = serverClient(flags.server);
      // After a rotation the key's own id is not its participant's: the server says whose it is.
      const participant = await participantOfKey(client, identity.publicKey, identity.participant);
      const order = liveOrder(raw, {
        identity,
        participant,
        source: file === "-" ? "standard input" : file,
        nowMs: now,
      });
      const expiry = await expiryOf(client, flags.expiresMinutes);
      const envelope = signLiveOrder(order, identity, expiry, now);
      const answer = await client.post("/v1/orders", envelope);
      printRecord(ctx, flags, {
        ...(answer.json as Record<string, unknown>),
        created: answer.status === 201,
      });
    });
}
