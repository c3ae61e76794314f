/** `gridshare serve`: run a community's live platform (HTTP API, market clock, ledger). */
import { resolve } from "node:path";
import type { Command } from "commander";
import { describeMigrations, migrateOnly } from "../../server/migrateOnly.js";
import { startServe } from "../../server/serve.js";
import type { CommandContext } from "../context.js";
import { choiceReader, flagOption, instant, positiveNumber } from "../flags.js";
import { LOG_LEVELS, optionsOf, port, rateLimit, type ServeFlags } from "../serveFlags.js";

const STOP_DEADLINE_MS = 10_000;

/** Resolves on SIGTERM or SIGINT. */
function untilSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolveSignal(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

export function registerServe(program: Command, ctx: CommandContext): void {
  program
    .command("serve")
    .description(
      "run a community's live platform: signed orders, gate closure, the ledger, over HTTP",
    )
    .option("--community <file>", "the community file (gridshare community init writes one)")
    .option(
      "--operator-key <file>",
      "the key file that signs blocks (the community file names its public key)",
    )
    .option(
      "--previous-operator-key <file>",
      "the key that signed the ledger's blocks until now: the ledger hands over to --operator-key at start",
    )
    .option(
      "--demo",
      "the shipped CityLearn community: its 17 homes registered, their keys in <data-dir>/demo-keys/",
    )
    .option("--data-dir <dir>", "the embedded database and the ledger log", "gridshare-data")
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .addOption(
      flagOption(
        "--port <n>",
        "the port (0 picks a free one; the address is printed)",
        port,
      ).default(8080),
    )
    .addOption(
      flagOption(
        "--speed <n>",
        "run the market's clock N times faster than real time",
        positiveNumber,
      ),
    )
    .addOption(
      flagOption("--start <time>", "start the market's clock at this instant (ISO 8601)", instant),
    )
    .addOption(
      flagOption(
        "--clock <kind>",
        "real (default) or manual (tests: moved only by the admin-signed POST /v1/clock/advance)",
        choiceReader(["real", "manual"] as const),
      ),
    )
    .addOption(
      flagOption(
        "--log-level <level>",
        `log each request at this level (${LOG_LEVELS.join(", ")})`,
        choiceReader(LOG_LEVELS),
      ),
    )
    .addOption(
      flagOption(
        "--rate-limit <n>",
        "requests per second per participant (10 times that per address; default 20), or off",
        rateLimit,
      ),
    )
    .option(
      "--trust-proxy",
      "take the client's address from X-Forwarded-For (only behind a reverse proxy that sets it)",
    )
    .option(
      "--metrics-token <token>",
      "serve /metrics to any client that sends this bearer token (default: loopback clients only)",
    )
    .option(
      "--migrate-only",
      "open the database, apply the migrations due, say which, and exit (needs no community file)",
    )
    .addHelpText(
      "after",
      "\nDATABASE_URL=postgres://... uses a PostgreSQL server instead of the embedded database.\n\nExamples:\n  gridshare serve --demo --port 0\n  gridshare serve --community community.json --operator-key signing.key\n  gridshare serve --demo --start 2016-08-01T08:00:00Z --speed 60",
    )
    .action(async (flags: ServeFlags) => {
      if (flags.migrateOnly === true) {
        const databaseUrl = ctx.io.env.DATABASE_URL || undefined;
        const dataDir = resolve(ctx.io.cwd, flags.dataDir);
        const outcome = await migrateOnly({ dataDir, databaseUrl });
        const where =
          databaseUrl === undefined
            ? `the embedded database in ${dataDir}`
            : "the PostgreSQL database";
        ctx.io.stdout.write(describeMigrations(outcome, where));
        return;
      }
      const server = await startServe(optionsOf(ctx, flags));
      ctx.io.stderr.write(`listening on ${server.address}\n`);
      const signal = await untilSignal();
      ctx.io.stderr.write(`${signal}: draining (writes refused), then closing\n`);
      // Whatever happens, the process is gone within STOP_DEADLINE_MS of the signal.
      const deadline = setTimeout(() => {
        ctx.io.stderr.write(`did not stop within ${STOP_DEADLINE_MS / 1000} s: exiting\n`);
        process.exit(1);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      await server.stop();
      ctx.io.stderr.write("stopped\n");
    });
}
