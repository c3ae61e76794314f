/**
 * A live platform listening on 127.0.0.1 for tests (embedded database in a temporary directory,
 * manual clock), with the calls tests make of it: plain requests, the operator's documents, a
 * member's signed orders and cancels, and session tokens. `restart` closes the server and opens
 * it again on the same data directory, as after a restart.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatInstant } from "../../src/core/time.js";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { type Identity, participantIdOf } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { type AppOptions, buildApp } from "../../src/server/app.js";
import { openPlatform, type Platform } from "../../src/service/platform.js";
import { OPERATOR } from "./ledgerFixtures.js";

export const MIN = 60_000;

export interface Reply {
  readonly status: number;
  readonly code: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
  readonly json: any;
}

export interface LiveServerOptions {
  readonly name: string;
  readonly admin: Identity;
  readonly clockStartMs: number;
  readonly community?: Record<string, unknown>;
  readonly app?: AppOptions;
  /** An existing data directory (kept at the end); a fresh temporary one otherwise. */
  readonly dataDir?: string;
  readonly databaseUrl?: string;
}

export interface OrderSpec {
  readonly id: string;
  readonly side: "buy" | "sell";
  readonly kwh: number;
  readonly price: number;
  readonly intervalStartMs: number;
}

export class LiveServer {
  platform!: Platform;
  base = "";
  private closeApp: (() => Promise<void>) | undefined;
  private counter = 0;
  /** Nonces differ between instances, so a server restored from a backup sees new ones. */
  private readonly salt = randomBytes(8).toString("hex");
  readonly dir: string;

  private constructor(private readonly options: LiveServerOptions) {
    this.dir = options.dataDir ?? mkdtempSync(join(tmpdir(), `gridshare-${options.name}-`));
  }

  static async start(options: LiveServerOptions): Promise<LiveServer> {
    const server = new LiveServer(options);
    await server.open();
    return server;
  }

  private async open(): Promise<void> {
    const doc = {
      ...communityTemplate(
        {
          adminPublicKey: this.options.admin.publicKey,
          blockSigningPublicKey: OPERATOR.publicKey,
          id: "fontana",
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
      clock: { kind: "manual", startMs: this.options.clockStartMs },
    });
    const app = await buildApp(this.platform, this.options.app);
    this.base = await app.listen({ host: "127.0.0.1", port: 0 });
    this.closeApp = () => app.close();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.open();
  }

  async stop(): Promise<void> {
    await this.closeApp?.();
    this.closeApp = undefined;
    await this.platform.close();
  }

  async close(): Promise<void> {
    if (this.closeApp !== undefined) await this.stop();
    if (this.options.dataDir === undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  nonce(): string {
    return createHash("sha256")
      .update(`${this.options.name} ${this.salt} ${this.counter++}`)
      .digest("hex")
      .slice(0, 32);
  }

  async call(
    method: string,
    path: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(20_000) };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    const r = await fetch(`${this.base}${path}`, init);
    const text = await r.text();
    const json = text === "" ? null : JSON.parse(text);
    return { status: r.status, code: json?.code, json };
  }

  admin(document: Record<string, unknown>, key: Identity = this.options.admin) {
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
      if (r.status !== 201) throw new Error(`registration: ${JSON.stringify(r.json)}`);
    }
  }

  async advanceTo(ms: number): Promise<Reply> {
    return this.call("POST", "/v1/clock/advance", {
      body: this.admin({ action: "clock.advance", to: formatInstant(ms) }),
    });
  }

  order(who: Identity, spec: OrderSpec) {
    return signOrder(
      {
        id: spec.id,
        participant: participantIdOf(who.publicKey),
        side: spec.side,
        energy_kwh: spec.kwh,
        price_per_kwh: spec.price,
        timestamp: formatInstant(spec.intervalStartMs - 30 * MIN),
        interval_start: formatInstant(spec.intervalStartMs),
      },
      who,
      this.nonce(),
      spec.intervalStartMs + 60 * MIN,
    );
  }

  cancel(who: Identity, orderId: string, intervalStartMs: number) {
    return signDocument(
      "cancel",
      {
        action: "order.cancel",
        participant: participantIdOf(who.publicKey),
        order_id: orderId,
        interval_start: formatInstant(intervalStartMs),
      },
      who,
      this.nonce(),
      Date.now() + 10 * MIN,
    );
  }

  /** A session token for `who`, by signing a fresh challenge. */
  async session(who: Identity): Promise<string> {
    const { json } = await this.call("POST", "/v1/session/challenge");
    const r = await this.call("POST", "/v1/session", {
      body: signDocument(
        "session",
        { action: "session.open", challenge: json.challenge },
        who,
        this.nonce(),
        Date.now() + MIN,
      ),
    });
    if (r.status !== 201) throw new Error(`session: ${JSON.stringify(r.json)}`);
    return r.json.token;
  }
}
