/** `gridshare backup` and `gridshare restore`: a live platform's data at one consistent point. */
import { resolve } from "node:path";
import type { Command } from "commander";
import { backup, restore, type StoreLocation } from "../../app/backup.js";
import type { CommandContext } from "../context.js";

const DATABASE_NOTE =
  "\nWith DATABASE_URL=postgres://... the database half is that server's; the ledger log is always the data directory's. Stop the server first: the data directory's lock keeps both quiet.";

function location(ctx: CommandContext, dataDir: string): StoreLocation {
  // An empty DATABASE_URL is unset.
  return {
    dataDir: resolve(ctx.io.cwd, dataDir),
    databaseUrl: ctx.io.env.DATABASE_URL || undefined,
  };
}

export function registerBackup(program: Command, ctx: CommandContext): void {
  program
    .command("backup")
    .description(
      "back up a live platform: each ledger up to its published head, and every database row, at one point",
    )
    .requiredOption("--out <file>", "the backup file to write (gzip-compressed JSON)")
    .option("--data-dir <dir>", "the server's data directory", "gridshare-data")
    .option("--force", "replace --out if it exists")
    .addHelpText(
      "after",
      `${DATABASE_NOTE}\n\nExample:\n  gridshare backup --data-dir gridshare-data --out backup-2026-12-03.json.gz`,
    )
    .action(async (flags: { out: string; dataDir: string; force?: boolean }) => {
      const s = await backup(
        location(ctx, flags.dataDir),
        resolve(ctx.io.cwd, flags.out),
        flags.force === true,
      );
      const ledgers =
        s.communities.map((c) => `${c.id} to block ${c.height}`).join(", ") || "no ledger";
      ctx.io.stdout.write(
        `backed up ${ledgers} and ${s.rows} database rows to ${s.file} (${s.bytes} bytes)\n`,
      );
    });

  program
    .command("restore")
    .description(
      "restore a backup into a data directory; refused if it would move a ledger behind a head it published",
    )
    .requiredOption("--in <file>", "the backup file (gridshare backup)")
    .option("--data-dir <dir>", "the data directory to restore into", "gridshare-data")
    .addHelpText(
      "after",
      `${DATABASE_NOTE}\n\nExample:\n  gridshare restore --in backup-2026-12-03.json.gz --data-dir gridshare-data`,
    )
    .action(async (flags: { in: string; dataDir: string }) => {
      const s = await restore(location(ctx, flags.dataDir), resolve(ctx.io.cwd, flags.in));
      const ledgers =
        s.communities.map((c) => `${c.id} to block ${c.height}`).join(", ") || "no ledger";
      ctx.io.stdout.write(`restored ${ledgers} and ${s.rows} database rows\n`);
      for (const f of s.communityFiles) ctx.io.stderr.write(`community file written to ${f}\n`);
    });
}
