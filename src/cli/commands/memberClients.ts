/**
 * A member's clients of a live platform: `gridshare orders` (its own, through a session signed
 * with its key) and `gridshare order cancel` (a signed cancel); with `gridshare book`.
 */
import type { Command } from "commander";
import { signCancel, signSessionAnswer } from "../../app/liveRequests.js";
import { formatInstant } from "../../core/time.js";
import type { Identity } from "../../ledger/keys.js";
import { readIdentity } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, instant } from "../flags.js";
import { type ServerClient, serverClient } from "../http.js";
import { participantOfKey } from "../liveKeys.js";
import { printRecord, printRecords, type ServerFlags, serverOptions } from "../serverCommand.js";
import { registerBook } from "./book.js";

type Rows = Record<string, unknown>[];

const ORDER_COLUMNS = [
  "order_id",
  "interval_start",
  "side",
  "energy_kwh",
  "price_per_kwh",
  "status",
  "received_seq",
];
const STATUSES = ["open", "filled", "partially_filled", "unfilled", "rejected", "cancelled"];

async function memberKey(ctx: CommandContext, file: string): Promise<Identity> {
  return readIdentity(file, {
    onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
  });
}

/** A session token for the key's member: a fresh challenge, signed. */
async function sessionToken(client: ServerClient, member: Identity): Promise<string> {
  const { challenge } = (await client.post("/v1/session/challenge", {})).json as {
    challenge: string;
  };
  const answer = await client.post("/v1/session", signSessionAnswer(challenge, member, Date.now()));
  return (answer.json as { token: string }).token;
}

function registerOrders(program: Command, ctx: CommandContext): void {
  serverOptions(
    program
      .command("orders")
      .description("your own orders on a live platform (a session signed with your key)")
      .requiredOption("--key <file>", "your key file")
      .addOption(
        flagOption("--interval <start>", "only the interval starting then (ISO 8601)", instant),
      )
      .addOption(
        flagOption(
          "--status <status>",
          `only orders ${STATUSES.join(", ")}`,
          choiceReader(STATUSES),
        ),
      ),
  )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare orders --server http://127.0.0.1:8080 --key home-1.key --status open",
    )
    .action(async (flags: ServerFlags & { key: string; interval?: number; status?: string }) => {
      const client = serverClient(flags.server);
      const token = await sessionToken(client, await memberKey(ctx, flags.key));
      const query = new URLSearchParams();
      if (flags.interval !== undefined) query.set("interval", formatInstant(flags.interval));
      if (flags.status !== undefined) query.set("status", flags.status);
      const path = query.size === 0 ? "/v1/orders" : `/v1/orders?${query}`;
      const { orders } = (await client.get(path, token)) as { orders: Rows };
      printRecords(ctx, flags, ORDER_COLUMNS, orders, "no orders");
    });
}

export function registerOrderCancel(order: Command, ctx: CommandContext): void {
  serverOptions(
    order
      .command("cancel")
      .description("cancel one of your open orders on a live platform, before its gate closes")
      .requiredOption("--key <file>", "your key file")
      .requiredOption("--id <id>", "the order's id")
      .addOption(
        flagOption(
          "--interval <start>",
          "the order's delivery interval (ISO 8601)",
          instant,
        ).makeOptionMandatory(),
      ),
  )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare order cancel --server http://127.0.0.1:8080 --key home-1.key --id o-17 --interval 2026-06-01T12:00:00Z",
    )
    .action(async (flags: ServerFlags & { key: string; id: string; interval: number }) => {
      const member = await memberKey(ctx, flags.key);
      const client = serverClient(flags.server);
      const cancel = signCancel(
        { orderId: flags.id, intervalStartMs: flags.interval },
        member,
        await participantOfKey(client, member.publicKey, member.participant),
        Date.now(),
      );
      const answer = await client.delete(`/v1/orders/${encodeURIComponent(flags.id)}`, cancel);
      printRecord(ctx, flags, answer.json as Rows[0]);
    });
}

export function registerMemberClients(program: Command, ctx: CommandContext): void {
  registerOrders(program, ctx);
  registerBook(program, ctx);
}
