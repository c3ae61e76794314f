/**
 * `gridshare serve`: one community's live platform on HTTP. Opens the platform (database, ledger
 * log, clock), listens, and closes due gates on a timer (a manual clock moves only by the
 * operator's signed request). With `demo`, the community is the shipped CityLearn one: an
 * operator key and one key per home are written to `<data-dir>/demo-keys/` on first start, and
 * the homes are registered.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalize } from "../core/canonicalJson.js";
import {
  type CommunityConfig,
  communityConfig,
  communityFromScenario,
  loadCommunityFile,
} from "../formats/communityFile.js";
import { parseScenario } from "../formats/scenario.js";
import type { Identity } from "../ledger/keys.js";
import { signDocument } from "../ledger/signedDocument.js";
import { type ClockSpec, openPlatform, type Platform } from "../service/platform.js";
import { pathExists } from "../store/atomicFile.js";
import { readIdentity, writeNewIdentity } from "../store/keyFile.js";
import { buildApp } from "./app.js";
import { DEFAULT_RATE_LIMITS, type RateLimits } from "./rateLimit.js";
import { type CloseHook, drainAndStop, Lifecycle } from "./shutdown.js";

export interface ServeOptions {
  /** The community file; with `demo`, none. */
  readonly communityFile?: string | undefined;
  readonly demo: boolean;
  /** The block-signing key file; with `demo`, the demo's own. */
  readonly operatorKeyFile?: string | undefined;
  /** The key file that signed the ledger's blocks until now, to hand over from. */
  readonly previousOperatorKeyFile?: string | undefined;
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly clock: ClockSpec;
  /** Log level of the request log (fastify's pino), or none. */
  readonly logLevel?: string | undefined;
  /** Rate limits (20 per participant and 200 per address each second by default), or "off". */
  readonly rateLimit?: RateLimits | "off" | undefined;
  /** Trust `X-Forwarded-For` (only behind a reverse proxy that sets it). */
  readonly trustProxy?: boolean | undefined;
  /** `/metrics` for bearers of this token; without one, for loopback clients only. */
  readonly metricsToken?: string | undefined;
  /** Notes for the operator (stderr). */
  readonly note: (line: string) => void;
}

export interface RunningServer {
  /** `http://HOST:PORT`. */
  readonly address: string;
  readonly platform: Platform;
  /**
   * Run by `stop` once writes are refused and gate closure has finished, before the listener
   * closes (the WebSocket feed itself closes with 1001 as the listener closes).
   */
  readonly onClose: CloseHook[];
  /** Drains and stops (shutdown.ts): writes get 503 from now on. */
  stop(): Promise<void>;
}

const DEMO_SCENARIO = fileURLToPath(
  new URL("../../scenarios/citylearn-2022.json", import.meta.url),
);

/** The demo's keys: made on first start, read after. */
async function demoKey(dir: string, name: string): Promise<{ identity: Identity; made: boolean }> {
  const path = join(dir, `${name}.key`);
  if (await pathExists(path)) return { identity: await readIdentity(path), made: false };
  return { identity: await writeNewIdentity(path, { force: false }), made: true };
}

interface Prepared {
  readonly config: CommunityConfig;
  readonly signer: Identity;
  readonly previous?: Identity | undefined;
  /** Homes to register (the demo's), with their keys. */
  readonly homes: readonly { readonly name: string; readonly identity: Identity }[];
}

async function prepareDemo(options: ServeOptions): Promise<Prepared> {
  const keysDir = join(options.dataDir, "demo-keys");
  await mkdir(keysDir, { recursive: true });
  const scenario = parseScenario(JSON.parse(await readFile(DEMO_SCENARIO, "utf8")), DEMO_SCENARIO);
  const operator = await demoKey(keysDir, "operator");
  const homes = [];
  let made = operator.made;
  for (const m of scenario.members) {
    const key = await demoKey(keysDir, m.id);
    made ||= key.made;
    homes.push({ name: m.id, identity: key.identity });
  }
  if (made)
    options.note(`demo keys (the operator's and ${homes.length} homes') written to ${keysDir}`);
  const doc = communityFromScenario(
    scenario,
    { id: "citylearn", adminPublicKey: operator.identity.publicKey },
    DEMO_SCENARIO,
  );
  return { config: await communityConfig(doc, DEMO_SCENARIO), signer: operator.identity, homes };
}

async function prepare(options: ServeOptions): Promise<Prepared> {
  if (options.demo) return prepareDemo(options);
  const config = await loadCommunityFile(options.communityFile as string);
  const signer = await readIdentity(options.operatorKeyFile as string, { onWarning: options.note });
  const previous =
    options.previousOperatorKeyFile === undefined
      ? undefined
      : await readIdentity(options.previousOperatorKeyFile, { onWarning: options.note });
  return { config, signer, previous, homes: [] };
}

/** Registers the demo's homes with the operator's own signed documents (once: replays are no-ops). */
async function registerHomes(platform: Platform, prepared: Prepared): Promise<void> {
  // Every key a participant holds or held: a home that rotated its key is registered already.
  const participants = await platform.community.store.participants();
  const known = new Set(participants.flatMap((p) => p.keys.map((k) => k.publicKey)));
  for (const home of prepared.homes) {
    if (known.has(home.identity.publicKey)) continue;
    const nonce = canonicalize(home.identity.publicKey).slice(1, 33);
    const doc = signDocument(
      "admin",
      { action: "participant.add", public_key: home.identity.publicKey, name: home.name },
      prepared.signer,
      nonce,
      Date.now() + 60_000,
    );
    await platform.community.admin(doc);
  }
}

/** How often gates are looked at, in wall ms: ten times an interval at the clock's speed, within [20 ms, 1 s]. */
function tickMs(config: CommunityConfig, clock: ClockSpec): number {
  const speed = clock.kind === "virtual" ? clock.speed : 1;
  return Math.min(1000, Math.max(20, config.intervalMs / speed / 10));
}

export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const prepared = await prepare(options);
  const platform = await openPlatform({
    config: prepared.config,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    blockSigner: prepared.signer,
    previousBlockSigner: prepared.previous,
    clock: options.clock,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const handover = platform.community.handover;
    if (handover !== undefined)
      options.note(
        `block signing handed over from ${handover.from.slice(0, 16)}... to ${handover.to.slice(0, 16)}... (block ${handover.height}): the previous key is no longer needed`,
      );
    if (platform.clockResumed)
      options.note(`the market clock resumes at ${new Date(platform.clock.now()).toISOString()}`);
    if (options.databaseUrl === undefined)
      options.note(
        "database: embedded PGlite (for trying and testing: it does not survive a power cut; use DATABASE_URL=postgres://... for a real community)",
      );
    await registerHomes(platform, prepared);
    const lifecycle = new Lifecycle();
    const app = await buildApp(platform, {
      lifecycle,
      logger: options.logLevel === undefined ? false : { level: options.logLevel },
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMITS,
      trustProxy: options.trustProxy ?? false,
      metricsToken: options.metricsToken,
    });
    const address = await app.listen({ host: options.host, port: options.port });
    if (options.clock.kind !== "manual") {
      let busy = false;
      let stalled = false;
      timer = setInterval(
        () => {
          if (busy) return;
          const failure = platform.failure();
          if (failure !== undefined) {
            if (!stalled) options.note(`intake and gate closure stopped: ${failure}`);
            stalled = true;
            return;
          }
          busy = true;
          platform
            .tick()
            .catch((error: unknown) =>
              options.note(`gate closure failed, will retry: ${(error as Error).message}`),
            )
            .finally(() => {
              busy = false;
            });
        },
        tickMs(prepared.config, options.clock),
      );
    }
    return {
      address,
      platform,
      onClose: lifecycle.onClose,
      stop() {
        if (timer !== undefined) clearInterval(timer);
        return drainAndStop({
          lifecycle,
          app,
          tick: () => platform.tick(),
          closeStore: () => platform.close(),
          note: options.note,
        });
      },
    };
  } catch (error) {
    if (timer !== undefined) clearInterval(timer);
    await platform.close();
    throw error;
  }
}
