/**
 * A live platform listening on 127.0.0.1 for tests (embedded database in a temporary directory,
 * or an existing one; manual clock, an hour before T0 unless told), with the calls tests make of
 * it: requests whose answers keep status, headers, text and JSON; the operator's documents; a
 * member's signed orders and cancels; session tokens. Any app and platform options; `restart`
 * closes the server and opens it again on the same data directory, as after a restart.
 *
 * The signing helpers also stand alone (module-level nonces, the admin key ADMIN), for tests of
 * a `serve` process started from a community file of `writeCommunity`.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { formatInstant } from "../../src/core/time.js";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { type AppOptions, buildApp } from "../../src/server/app.js";
import { openPlatform, type Platform, type PlatformOptions } from "../../src/service/platform.js";
import { writeIdentity } from "../../src/store/keyFile.js";
import { fixedIdentity, OPERATOR, T0 } from "./ledgerFixtures.js";

export const MIN = 60_000;
export const ADMIN = fixedIdentity("live server admin");
export const idOf = (who: Identity) => participantIdOf(who.publicKey);

export interface Reply {
  readonly status: number;
  /** The problem's code, for a problem+json answer. */
  readonly code: string | undefined;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
  readonly json: any;
}

export interface CallOptions {
  /** Sent as JSON; a string is sent as it is (to send what is not JSON). */
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export async function callAt(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const init: RequestInit = { method, headers, signal: AbortSignal.timeout(20_000) };
  if (options.body !== undefined)
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const r = await fetch(`${base}${path}`, init);
  const text = await r.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  const code = (json as { code?: unknown } | null)?.code;
  return {
    status: r.status,
    code: typeof code === "string" ? code : undefined,
    headers: r.headers,
    text,
    json,
  };
}

/** Asserts a problem+json answer with this status and code, and a detail for people. */
export function isProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(r.json.code, code);
  assert.equal(r.json.status, status);
  assert.equal(typeof r.json.detail, "string");
}

/** Nonces unique in the process, and between processes (a restored server sees new ones). */
function nonces(name: string): () => string {
  const salt = randomBytes(8).toString("hex");
  let counter = 0;
  return () =>
    createHash("sha256").update(`${name} ${salt} ${counter++}`).digest("hex").slice(0, 32);
}

export const nonce = nonces("live server");

export interface OrderSpec {
  readonly id: string;
  readonly side: "buy" | "sell";
  /** 1 kWh unless told. */
  readonly kwh?: number;
  /** 0.30 a kWh to buy, 0.10 to sell, unless told. */
  readonly price?: number;
  /** T0 unless told. */
  readonly intervalStartMs?: number;
}

function signedOrder(who: Identity, spec: OrderSpec, next: () => string) {
  const start = spec.intervalStartMs ?? T0;
  return signOrder(
    {
      id: spec.id,
      participant: idOf(who),
      side: spec.side,
      energy_kwh: spec.kwh ?? 1,
      price_per_kwh: spec.price ?? (spec.side === "buy" ? 0.3 : 0.1),
      timestamp: formatInstant(start - 30 * MIN),
      interval_start: formatInstant(start),
    },
    who,
    next(),
    start + 60 * MIN,
  );
}

function signedCancel(
  who: Identity,
  orderId: string,
  at: { intervalStartMs?: number; participant?: string },
  next: () => string,
) {
  return signDocument(
    "cancel",
    {
      action: "order.cancel",
      participant: at.participant ?? idOf(who),
      order_id: orderId,
      interval_start: formatInstant(at.intervalStartMs ?? T0),
    },
    who,
    next(),
    Date.now() + 10 * MIN,
  );
}

/** The operator's signed document. */
export const admin = (document: Record<string, unknown>, key: Identity = ADMIN) =>
  signDocument("admin", document, key, nonce(), Date.now() + 10 * MIN);

/** A signed order of `who`: 1 kWh for the interval at T0 unless `spec` says otherwise. */
export function order(
  who: Identity,
  id: string,
  side: "buy" | "sell" = "sell",
  spec: Omit<OrderSpec, "id" | "side"> = {},
) {
  return signedOrder(who, { ...spec, id, side }, nonce);
}

/** A signed cancel of `who`'s order (for the interval at T0 unless told; in `participant`'s name). */
export const cancel = (
  who: Identity,
  orderId: string,
  at: { intervalStartMs?: number; participant?: string } = {},
) => signedCancel(who, orderId, at, nonce);

export interface LiveServerOptions {
  readonly name: string;
  /** The community's id ("fontana" unless told). */
  readonly id?: string;
  /** The community's admin key (ADMIN unless told). */
  readonly admin?: Identity;
  /** Where the manual clock starts (an hour before T0 unless told). */
  readonly clockStartMs?: number;
  /** Fields of the community file over the template's. */
  readonly community?: Record<string, unknown>;
  readonly app?: AppOptions;
  readonly platform?: Partial<PlatformOptions>;
  /** An existing data directory (kept at the end); a fresh temporary one otherwise. */
  readonly dataDir?: string;
  readonly databaseUrl?: string;
}

export class LiveServer {
  platform!: Platform;
  app!: FastifyInstance;
  base = "";
  private listening = false;
  readonly nonce: () => string;
  readonly dir: string;

  private constructor(private readonly options: LiveServerOptions) {
    this.dir = options.dataDir ?? mkdtempSync(join(tmpdir(), `gridshare-${options.name}-`));
    this.nonce = nonces(options.name);
  }

  static async start(options: LiveServerOptions): Promise<LiveServer> {
    const server = new LiveServer(options);
    await server.open();
    return server;
  }

  private get adminKey(): Identity {
    return this.options.admin ?? ADMIN;
  }

  private async open(): Promise<void> {
    const doc = {
      ...communityTemplate(
        {
          adminPublicKey: this.adminKey.publicKey,
          blockSigningPublicKey: OPERATOR.publicKey,
          id: this.options.id ?? "fontana",
        },
        "test",
      ),
      ...this.options.community,
    };
    this.platform = await openPlatform({
      config: await communityConfig(doc, "test"),
      dataDir: this.dir,
      databaseUrl: this.options.databaseUrl,
      blockSigner: OPERATOR,
      clock: { kind: "manual", startMs: this.options.clockStartMs ?? T0 - 60 * MIN },
      ...this.options.platform,
    });
    this.app = await buildApp(this.platform, this.options.app);
    this.base = await this.app.listen({ host: "127.0.0.1", port: 0 });
    this.listening = true;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.open();
  }

  /** Closes the server and the platform, keeping the data directory. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await this.app.close();
    await this.platform.close();
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.options.dataDir === undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    return callAt(this.base, method, path, options);
  }

  admin(document: Record<string, unknown>, key: Identity = this.adminKey) {
    return signDocument("admin", document, key, this.nonce(), Date.now() + 10 * MIN);
  }

  /** Registers each home as a member, named Building_1, Building_2, ... */
  async register(homes: readonly Identity[]): Promise<void> {
    for (const [i, home] of homes.entries()) {
      const r = await this.call("POST", "/v1/participants", {
        body: this.admin({
          action: "participant.add",
          public_key: home.publicKey,
          name: `Building_${i + 1}`,
        }),
      });
      assert.equal(r.status, 201, `registration: ${r.text}`);
    }
  }

  async advanceTo(ms: number): Promise<Reply> {
    return this.call("POST", "/v1/clock/advance", {
      body: this.admin({ action: "clock.advance", to: formatInstant(ms) }),
    });
  }

  order(who: Identity, spec: OrderSpec) {
    return signedOrder(who, spec, this.nonce);
  }

  cancel(who: Identity, orderId: string, intervalStartMs: number) {
    return signedCancel(who, orderId, { intervalStartMs }, this.nonce);
  }

  /** The answer to a session challenge signed by `who`. */
  async sessionReply(who: Identity): Promise<Reply> {
    const { json } = await this.call("POST", "/v1/session/challenge");
    return this.call("POST", "/v1/session", {
      body: signDocument(
        "session",
        { action: "session.open", challenge: json.challenge },
        who,
        this.nonce(),
        Date.now() + MIN,
      ),
    });
  }

  /** A session token for `who`, by signing a fresh challenge. */
  async session(who: Identity): Promise<string> {
    const r = await this.sessionReply(who);
    assert.equal(r.status, 201, `session: ${r.text}`);
    return r.json.token;
  }
}

/** Opens a platform in a fresh directory (the community's id is `name`) and serves it. */
export function startLive(
  name: string,
  app: AppOptions = {},
  platform: Partial<PlatformOptions> = {},
): Promise<LiveServer> {
  return LiveServer.start({ name, id: name, app, platform });
}

/** Registers each of `homes` with the operator's signed documents. */
export const register = (live: LiveServer, homes: readonly Identity[]) => live.register(homes);

/** The answer to a session challenge signed by `who`. */
export const sessionOf = (live: LiveServer, who: Identity) => live.sessionReply(who);

/**
 * A community file and its key file in `dir`, for `serve`: one key (ADMIN) for both operator
 * roles, so the tests sign the operator's documents with it.
 */
export async function writeCommunity(
  dir: string,
  id: string,
): Promise<{ communityFile: string; keyFile: string }> {
  const communityFile = join(dir, "community.json");
  const keyFile = join(dir, "operator.key");
  const doc = communityTemplate(
    { adminPublicKey: ADMIN.publicKey, blockSigningPublicKey: ADMIN.publicKey, id },
    "test",
  );
  writeFileSync(communityFile, JSON.stringify(doc));
  await writeIdentity(keyFile, ADMIN, { force: true });
  return { communityFile, keyFile };
}
