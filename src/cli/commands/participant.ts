/**
 * `gridshare participant add|suspend|reinstate` (the operator's signed documents, posted to a
 * live platform), `participant rotate-key|rebind` (participantKeys.ts) and `gridshare
 * participants` (who is registered there).
 */
import type { Command } from "commander";
import { signAdminAction } from "../../app/liveRequests.js";
import { readIdentity, resolvePublicKey } from "../../store/keyFile.js";
import type { CommandContext } from "../context.js";
import { serverClient } from "../http.js";
import { printRecord, printRecords, type ServerFlags, serverOptions } from "../serverCommand.js";
import { registerParticipantKeys } from "./participantKeys.js";

interface OperatorFlags extends ServerFlags {
  operatorKey: string;
}

/** Signs `action` with the operator's key and posts it; the server's answer. */
async function postAction(
  ctx: CommandContext,
  flags: OperatorFlags,
  action: Record<string, unknown> & { action: string },
): Promise<Record<string, unknown>> {
  const admin = await readIdentity(flags.operatorKey, {
    onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
  });
  const signed = signAdminAction(action, admin, Date.now());
  const answer = await serverClient(flags.server).post("/v1/participants", signed);
  return answer.json as Record<string, unknown>;
}

function registerStatusChange(
  participant: Command,
  ctx: CommandContext,
  verb: "suspend" | "reinstate",
): void {
  serverOptions(
    participant
      .command(verb)
      .description(
        verb === "suspend"
          ? "suspend a participant: its orders are refused until it is reinstated"
          : "reinstate a suspended participant",
      )
      .requiredOption("--operator-key <file>", "the community's admin key file")
      .requiredOption("--id <participant>", "the participant's id (gs and 40 hex digits)"),
  ).action(async (flags: OperatorFlags & { id: string }) => {
    const answer = await postAction(ctx, flags, {
      action: `participant.${verb}`,
      participant: flags.id,
    });
    printRecord(ctx, flags, { id: answer.participant, status: answer.status });
  });
}

export function registerParticipant(program: Command, ctx: CommandContext): void {
  const participant = program
    .command("participant")
    .description(
      "register, suspend, reinstate or re-bind a live platform's participants (operator); rotate your key",
    );
  serverOptions(
    participant
      .command("add")
      .description("register a participant: its key, its name and (optionally) its meter")
      .requiredOption("--operator-key <file>", "the community's admin key file")
      .requiredOption("--public-key <key>", "the participant's public key (hex or key file)")
      .requiredOption("--name <name>", "the participant's name")
      .option("--meter <id>", "the participant's meter id"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare participant add --server http://127.0.0.1:8080 --operator-key admin.key --public-key home-1.pub --name 'Building 1'",
    )
    .action(async (flags: OperatorFlags & { publicKey: string; name: string; meter?: string }) => {
      const answer = await postAction(ctx, flags, {
        action: "participant.add",
        public_key: await resolvePublicKey(flags.publicKey),
        name: flags.name,
        ...(flags.meter === undefined ? {} : { meter_id: flags.meter }),
      });
      const p = answer.participant as Record<string, unknown>;
      printRecord(ctx, flags, { id: p.id, name: p.name, status: p.status, meter: p.meter_id });
    });
  registerStatusChange(participant, ctx, "suspend");
  registerStatusChange(participant, ctx, "reinstate");
  registerParticipantKeys(participant, ctx);

  serverOptions(
    program.command("participants").description("a live platform's participants"),
  ).action(async (flags: ServerFlags) => {
    const client = serverClient(flags.server);
    const participants: Record<string, unknown>[] = [];
    let after: string | null = null;
    do {
      const page = (await client.get(
        after === null ? "/v1/participants" : `/v1/participants?after=${encodeURIComponent(after)}`,
      )) as { participants: Record<string, unknown>[]; next_cursor: string | null };
      participants.push(...page.participants);
      after = page.next_cursor;
    } while (after !== null);
    printRecords(ctx, flags, ["id", "name", "role", "status"], participants, "no participants");
  });
}
