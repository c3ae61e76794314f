/** `gridshare order sign`: wraps an order in a signed envelope. */
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import { signOrder } from "../../ledger/envelope.js";
import { readOrderDocument } from "../../market/orderDocument.js";
import { readIdentity } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { expiryMinutes, flagOption } from "../flags.js";
import { readJsonInput } from "../io.js";
import { toJson } from "../output.js";
import { registerOrderCancel } from "./memberClients.js";
import { registerOrderSubmit } from "./orderSubmit.js";

export function registerOrder(program: Command, ctx: CommandContext): void {
  const order = program
    .command("order")
    .description("work with orders: sign one, submit or cancel one on a live platform");
  order
    .command("sign")
    .description(
      "sign an order: { order, nonce, expires, public_key, signature } over its RFC 8785 form",
    )
    .argument(
      "<file>",
      "the order as JSON ({ id, participant, side, energy_kwh, price_per_kwh, timestamp }), or -",
    )
    .requiredOption("--key <file>", "the participant's key file (gridshare keys new)")
    .addOption(
      flagOption(
        "--expires-minutes <minutes>",
        "how long the signed order stays valid",
        expiryMinutes,
      ).default(60),
    )
    .option(
      "--participant",
      "set the order's participant to the key's id (otherwise it must match)",
    )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare order sign --key home-1.key order.json > signed.json",
    )
    .action(
      async (
        file: string,
        flags: { key: string; expiresMinutes: number; participant?: boolean },
      ) => {
        const minutes = flags.expiresMinutes;
        const identity = await readIdentity(flags.key, {
          onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
        });
        const raw = await readJsonInput(ctx.io, file);
        const source = file === "-" ? "standard input" : file;
        const candidate =
          flags.participant && raw !== null && typeof raw === "object"
            ? { ...raw, participant: identity.participant }
            : raw;
        const document = readOrderDocument(candidate, source);
        if (document.participant !== identity.participant) {
          throw new InputError(
            "E_ORDER_INVALID",
            `${source}: participant: expected ${JSON.stringify(identity.participant)} (the id of ${flags.key}), received ${JSON.stringify(document.participant)}; pass --participant to set it`,
          );
        }
        const envelope = signOrder(
          document,
          identity,
          randomBytes(16).toString("hex"),
          Date.now() + minutes * 60_000,
        );
        ctx.io.stdout.write(toJson(envelope));
      },
    );
  registerOrderSubmit(order, ctx);
  registerOrderCancel(order, ctx);
}
