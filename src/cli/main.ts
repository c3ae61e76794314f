#!/usr/bin/env node
/**
 * The `gridshare` command line. `run` is the whole program as a function of its arguments and
 * I/O, so tests run commands in-process; the exit code follows DESIGN.md: 0 ok, 1 unexpected
 * failure, 2 bad usage or bad input, 3 verification failed.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { GridshareError } from "../core/errors.js";
import { registerBackup } from "./commands/backup.js";
import { registerClear } from "./commands/clear.js";
import { registerCommunity } from "./commands/community.js";
import { registerData } from "./commands/data.js";
import { registerDemo } from "./commands/demo.js";
import { registerForecast } from "./commands/forecast.js";
import { registerHealth } from "./commands/health.js";
import { registerHosting } from "./commands/hosting.js";
import { registerKeys } from "./commands/keys.js";
import { registerLedger } from "./commands/ledger.js";
import { registerLiveReads } from "./commands/liveReads.js";
import { registerMemberClients } from "./commands/memberClients.js";
import { registerOptimize } from "./commands/optimize.js";
import { registerOrder } from "./commands/order.js";
import { registerOutage } from "./commands/outage.js";
import { registerParticipant } from "./commands/participant.js";
import { registerPowerflow } from "./commands/powerflow.js";
import { registerScenario } from "./commands/scenario.js";
import { registerServe } from "./commands/serve.js";
import { registerSimulate } from "./commands/simulate.js";
import type { CommandContext } from "./context.js";
import { type CliIo, processIo } from "./io.js";
import { cliMessage, systemErrorWords } from "./words.js";

/** The package version, read from package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function buildProgram(ctx: CommandContext): Command {
  const program = new Command();
  program
    .name("gridshare")
    .description(
      "Community energy: neighbours trade electricity peer to peer, with the grid as fallback and every trade in a tamper-evident ledger.",
    )
    .version(version(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  registerDemo(program, ctx);
  registerSimulate(program, ctx);
  registerScenario(program, ctx);
  registerCommunity(program, ctx);
  registerServe(program, ctx);
  registerBackup(program, ctx);
  registerParticipant(program, ctx);
  registerLiveReads(program, ctx);
  registerMemberClients(program, ctx);
  registerOptimize(program, ctx);
  registerPowerflow(program, ctx);
  registerHosting(program, ctx);
  registerOutage(program, ctx);
  registerHealth(program, ctx);
  registerData(program, ctx);
  registerForecast(program, ctx);
  registerClear(program, ctx);
  registerKeys(program, ctx);
  registerOrder(program, ctx);
  registerLedger(program, ctx);
  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
    for (const sub of cmd.commands) configure(sub);
  };
  for (const cmd of program.commands) configure(cmd);
  return program;
}

/** Runs the CLI with `argv` (without the node and script paths); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CommandContext = { io };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are exit 0; every other commander error is bad usage (already printed).
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return 0;
      }
      if (error.code === "commander.executeSubCommandAsync") return 1;
      return 2;
    }
    if (error instanceof GridshareError) {
      io.stderr.write(`gridshare: ${cliMessage(error)}\n`);
      if (io.env.GRIDSHARE_DEBUG && error.stack) io.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    const system = systemErrorWords(error);
    if (system !== undefined) {
      io.stderr.write(`gridshare: ${system.message}\n`);
      if (io.env.GRIDSHARE_DEBUG && error instanceof Error && error.stack)
        io.stderr.write(`${error.stack}\n`);
      return system.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`gridshare: unexpected failure: ${message}\n`);
    if (io.env.GRIDSHARE_DEBUG && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack}\n`);
    else io.stderr.write("(set GRIDSHARE_DEBUG=1 for details, and please report it)\n");
    return 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
