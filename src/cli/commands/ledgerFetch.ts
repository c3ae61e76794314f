/** `gridshare ledger fetch`: a live platform's ledger copied into a directory and verified. */
import type { Command } from "commander";
import { fetchLedger, type LedgerSource } from "../../app/ledgerFetch.js";
import { GridshareError } from "../../core/errors.js";
import type { HeadPointer } from "../../store/ledgerStore.js";
import type { CommandContext } from "../context.js";
import { flagOption } from "../flags.js";
import { type ServerClient, serverClient, serverUrl } from "../http.js";
import { verificationText } from "../verifyReport.js";

/** The log of a long-running community can be large: its download gets ten minutes. */
const LOG_TIMEOUT_MS = 600_000;

function unexpected(client: ServerClient, path: string, what: string): GridshareError {
  return new GridshareError(
    "E_SERVER_RESPONSE_INVALID",
    `${client.url}${path} answered without ${what} (is it a gridshare server of this version?)`,
  );
}

/** The ledger as the API serves it: the community, the head and the log. */
function serverLedgerSource(client: ServerClient): LedgerSource {
  return {
    operatorKey: async () => {
      const community = (await client.get("/v1/community")) as {
        operator?: { block_signing_public_key?: unknown };
      } | null;
      const key = community?.operator?.block_signing_public_key;
      if (typeof key !== "string" || !/^[0-9a-f]{64}$/.test(key))
        throw unexpected(client, "/v1/community", "operator.block_signing_public_key");
      return key;
    },
    headPointer: async () => {
      const head = (await client.get("/v1/ledger/head")) as { pointer?: HeadPointer } | null;
      const pointer = head?.pointer;
      if (typeof pointer !== "object" || pointer === null || !Number.isInteger(pointer.log_bytes))
        throw unexpected(client, "/v1/ledger/head", "the ledger's pointer");
      return pointer;
    },
    log: (bytes) => client.bytes(`/v1/ledger/log?bytes=${bytes}`, LOG_TIMEOUT_MS),
  };
}

export function registerLedgerFetch(ledger: Command, ctx: CommandContext): void {
  ledger
    .command("fetch")
    .description(
      "copy a live platform's ledger (its log and HEAD) into a directory and verify it against the community's block-signing key",
    )
    .addOption(
      flagOption("--server <url>", "the live platform's URL", serverUrl).makeOptionMandatory(),
    )
    .requiredOption("--out <dir>", "the directory to write the copy into (absent or empty)")
    .option("--force", "write into a directory that is not empty (its ledger files are replaced)")
    .option("--json", "print the verification report as JSON")
    .addHelpText(
      "after",
      "\nExit code 0: the copy verifies. 3: it does not (the copy is kept, for a look). 2: the directory is not empty.\n\nExample:\n  gridshare ledger fetch --server http://127.0.0.1:8080 --out ledger-copy/\n  gridshare ledger verify ledger-copy/ --operator operator.pub",
    )
    .action(async (flags: { server: string; out: string; force?: boolean; json?: boolean }) => {
      const t0 = performance.now();
      const fetched = await fetchLedger({
        source: serverLedgerSource(serverClient(flags.server)),
        dir: flags.out,
        force: flags.force === true,
      });
      const seconds = (performance.now() - t0) / 1000;
      const { pointer, verification } = fetched;
      ctx.io.stderr.write(
        `fetched ${pointer.log_bytes} bytes (${pointer.height + 1} blocks) from ${flags.server} into ${flags.out}; verified against the block-signing key the server names (${fetched.operator.slice(0, 16)}...): pin the one you trust with gridshare ledger verify ${flags.out} --operator KEY\n`,
      );
      for (const note of verification.notes) ctx.io.stderr.write(`note: ${note}\n`);
      ctx.io.stdout.write(
        verificationText(verification, { json: flags.json === true, pinned: true, seconds }),
      );
    });
}
