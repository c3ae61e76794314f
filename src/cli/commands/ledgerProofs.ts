/** `gridshare ledger prove`, `check-proof`, `consistency` and `check-consistency`. */
import type { Command } from "commander";
import { proveConsistency, proveTrade } from "../../app/ledgerQueries.js";
import { InputError } from "../../core/errors.js";
import { checkConsistencyProof, checkInclusionProof } from "../../ledger/proofs.js";
import type { CommandContext } from "../context.js";
import { blockHeight, flagOption, operatorKey } from "../flags.js";
import { serverClient, serverUrl } from "../http.js";
import { readJsonInput } from "../io.js";
import { toJson } from "../output.js";

/** The API's inclusion proof of one trade, against the head of block `height` or the latest. */
function proofPath(tx: string, height: number | undefined): string {
  const query = new URLSearchParams({ tx });
  if (height !== undefined) query.set("height", String(height));
  return `/v1/ledger/proofs/inclusion?${query}`;
}

export function registerLedgerProofs(ledger: Command, ctx: CommandContext): void {
  registerInclusionProofs(ledger, ctx);
  registerConsistencyProofs(ledger, ctx);
}

/** `ledger prove` and `ledger check-proof`: one trade's inclusion proof, made and checked. */
function registerInclusionProofs(ledger: Command, ctx: CommandContext): void {
  ledger
    .command("prove")
    .description(
      "a self-contained inclusion proof of one trade: the record, its leaf index, the audit path, the signed head",
    )
    .argument("[dir]", "the ledger directory (not with --server)")
    .requiredOption("--tx <transaction_id>", "the trade to prove")
    .addOption(
      flagOption(
        "--height <n>",
        "prove against the head of block n (default: the latest)",
        blockHeight,
      ),
    )
    .addOption(flagOption("--server <url>", "ask a live platform for the proof instead", serverUrl))
    .addHelpText(
      "after",
      "\nExample:\n  gridshare ledger prove ledger/ --tx 3fa2... > proof.json\n  gridshare ledger prove --server http://127.0.0.1:8080 --tx 3fa2... > proof.json\n  gridshare ledger check-proof proof.json --operator operator.pub",
    )
    .action(
      async (dir: string | undefined, flags: { tx: string; height?: number; server?: string }) => {
        const { height, server } = flags;
        if ((dir === undefined) === (server === undefined))
          throw new InputError(
            "E_USAGE",
            dir === undefined
              ? "ledger prove: expected the ledger directory, or --server URL"
              : "ledger prove: expected the ledger directory or --server URL, not both",
          );
        const proof =
          server === undefined
            ? await proveTrade({
                dir: dir as string,
                txId: flags.tx,
                ...(height === undefined ? {} : { height }),
              })
            : await serverClient(server).get(proofPath(flags.tx, height));
        ctx.io.stdout.write(toJson(proof));
      },
    );

  ledger
    .command("check-proof")
    .description("verify an inclusion proof without the ledger")
    .argument("<proof>", "proof JSON (gridshare ledger prove), or -")
    .option(
      "--operator <key>",
      "the operator's public key (hex or key file) the head must be signed by",
    )
    .addHelpText(
      "after",
      "\nExit code 0: the trade is in the ledger under that signed head. 3: the proof does not verify. 2: not a proof.",
    )
    .action(async (file: string, flags: { operator?: string }) => {
      const operator = await operatorKey(flags.operator);
      const raw = await readJsonInput(ctx.io, file);
      const proof = checkInclusionProof(raw, file === "-" ? "standard input" : file, operator);
      const tx = (proof.entry.trade as { transaction_id?: string } | undefined)?.transaction_id;
      ctx.io.stdout.write(
        `ok: ${proof.entry.type}${tx ? ` ${tx}` : ""} is leaf ${proof.leaf_index} of the tree of ${proof.tree_size} under head ${proof.head.height}${operator ? "" : ` (operator ${proof.head.operator.slice(0, 16)}... not pinned: pass --operator)`}\n`,
      );
    });
}

/** `ledger consistency` and `ledger check-consistency`: one head extends another. */
function registerConsistencyProofs(ledger: Command, ctx: CommandContext): void {
  ledger
    .command("consistency")
    .description("a consistency proof that the head at --to extends the head at --from")
    .argument("<dir>", "the ledger directory")
    .addOption(
      flagOption("--from <height>", "the earlier block height", blockHeight).makeOptionMandatory(),
    )
    .addOption(
      flagOption("--to <height>", "the later block height", blockHeight).makeOptionMandatory(),
    )
    .addHelpText(
      "after",
      "\nExample:\n  gridshare ledger consistency ledger/ --from 10 --to 500 > consistency.json",
    )
    .action(async (dir: string, flags: { from: number; to: number }) => {
      ctx.io.stdout.write(toJson(await proveConsistency({ dir, from: flags.from, to: flags.to })));
    });

  ledger
    .command("check-consistency")
    .description(
      "verify a consistency proof: the later ledger extends the earlier, no history rewritten",
    )
    .argument("<proof>", "proof JSON (gridshare ledger consistency), or -")
    .option(
      "--operator <key>",
      "the operator's public key (hex or key file) both heads must be signed by",
    )
    .action(async (file: string, flags: { operator?: string }) => {
      const operator = await operatorKey(flags.operator);
      const proof = checkConsistencyProof(
        await readJsonInput(ctx.io, file),
        file === "-" ? "standard input" : file,
        operator,
      );
      ctx.io.stdout.write(
        `ok: head ${proof.second.height} (tree ${proof.second.tree_size}) extends head ${proof.first.height} (tree ${proof.first.tree_size})\n`,
      );
    });
}
