/**
 * The flags of `gridshare serve`, read into the server's options: the port, the rate limit,
 * the market clock they ask for, and the checks between them.
 */
import { resolve } from "node:path";
import { InputError } from "../core/errors.js";
import { type RateLimits, rateLimitsOf } from "../server/rateLimit.js";
import type { ServeOptions } from "../server/serve.js";
import type { ClockSpec } from "../service/platform.js";
import type { CommandContext } from "./context.js";
import { type FlagReader, numberReader, usageError } from "./flags.js";

export interface ServeFlags {
  community?: string;
  operatorKey?: string;
  previousOperatorKey?: string;
  demo?: boolean;
  dataDir: string;
  host: string;
  port: number;
  speed?: number;
  start?: number;
  clock?: "real" | "manual";
  logLevel?: string;
  rateLimit?: RateLimits | "off";
  trustProxy?: boolean;
  metricsToken?: string;
  migrateOnly?: boolean;
}

export const port = numberReader(
  "a port from 0 to 65535 (0 picks a free one)",
  (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
);
/** `--rate-limit N|off`: N requests per second per participant (10 N per address), or none. */
export const rateLimit: FlagReader<RateLimits | "off"> = (text, flag) => {
  if (text === "off") return "off";
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw usageError(flag, "a whole number of requests per second above 0, or off", text);
  return rateLimitsOf(n);
};

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;

/** The market clock the flags ask for. */
function clockOf(flags: ServeFlags): ClockSpec {
  if (flags.clock === "manual") {
    if (flags.speed !== undefined)
      throw new InputError(
        "E_USAGE",
        "--speed: a manual clock moves only by POST /v1/clock/advance; leave out --speed",
      );
    return { kind: "manual", startMs: flags.start };
  }
  if (flags.speed === undefined && flags.start === undefined) return { kind: "real" };
  return { kind: "virtual", startMs: flags.start, speed: flags.speed ?? 1 };
}

export function optionsOf(ctx: CommandContext, flags: ServeFlags): ServeOptions {
  if (flags.demo !== true && (flags.community === undefined || flags.operatorKey === undefined))
    throw new InputError(
      "E_USAGE",
      "serve: give --community FILE and --operator-key FILE, or --demo for the shipped CityLearn community",
    );
  if (
    flags.demo === true &&
    (flags.community !== undefined ||
      flags.operatorKey !== undefined ||
      flags.previousOperatorKey !== undefined)
  )
    throw new InputError(
      "E_USAGE",
      "--demo: runs the shipped community with its own keys; leave out --community, --operator-key and --previous-operator-key",
    );
  return {
    communityFile: flags.community,
    operatorKeyFile: flags.operatorKey,
    previousOperatorKeyFile: flags.previousOperatorKey,
    demo: flags.demo === true,
    dataDir: resolve(ctx.io.cwd, flags.dataDir),
    // An empty DATABASE_URL is unset.
    databaseUrl: ctx.io.env.DATABASE_URL || undefined,
    host: flags.host,
    port: flags.port,
    clock: clockOf(flags),
    logLevel: flags.logLevel,
    rateLimit: flags.rateLimit,
    trustProxy: flags.trustProxy === true,
    metricsToken: flags.metricsToken,
    note: (line) => ctx.io.stderr.write(`${line}\n`),
  };
}
