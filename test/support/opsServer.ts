/**
 * A live platform for the operations tests (limits, metrics, logs, shutdown, storage faults,
 * audit) on a real server listening on 127.0.0.1: embedded database, manual clock an hour
 * before T0, any app and platform options, and calls that keep the answer's headers and text.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
  readonly json: any;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface LiveServer {
  readonly platform: Platform;
  readonly base: string;
  readonly dir: string;
  readonly app: FastifyInstance;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

let counter = 0;
export const nonce = () =>
  createHash("sha256").update(`live server ${process.pid} ${counter++}`).digest("hex").slice(0, 32);

export const admin = (document: Record<string, unknown>, key: Identity = ADMIN) =>
  signDocument("admin", document, key, nonce(), Date.now() + 10 * MIN);

/** A signed order of `who` for the interval at T0. */
export function order(who: Identity, id: string, side: "buy" | "sell" = "sell") {
  return signOrder(
    {
      id,
      participant: idOf(who),
      side,
      energy_kwh: 1,
      price_per_kwh: side === "buy" ? 0.3 : 0.1,
      timestamp: formatInstant(T0 - 30 * MIN),
      interval_start: formatInstant(T0),
    },
    who,
    nonce(),
    T0 + 60 * MIN,
  );
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
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  const r = await fetch(`${base}${path}`, init);
  const text = await r.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** Asserts a problem+json answer with this status and code. */
export function isProblem(r: Reply, status: number, code: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(r.json.code, code);
  assert.equal(r.json.status, status);
}

/** Opens a platform in a fresh directory and serves it on 127.0.0.1. */
export async function startLive(
  name: string,
  app: AppOptions = {},
  platformOptions: Partial<PlatformOptions> = {},
): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), `gridshare-${name}-`));
  const doc = communityTemplate(
    { adminPublicKey: ADMIN.publicKey, blockSigningPublicKey: OPERATOR.publicKey, id: name },
    "test",
  );
  const platform = await openPlatform({
    config: await communityConfig(doc, "test"),
    dataDir: dir,
    blockSigner: OPERATOR,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
    ...platformOptions,
  });
  const server = await buildApp(platform, app);
  const base = await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    platform,
    base,
    dir,
    app: server,
    call: (method, path, options) => callAt(base, method, path, options),
    async close() {
      await server.close();
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers each of `homes` with the operator's signed documents. */
export async function register(live: LiveServer, homes: readonly Identity[]): Promise<void> {
  for (const [i, who] of homes.entries()) {
    const r = await live.call("POST", "/v1/participants", {
      body: admin({ action: "participant.add", public_key: who.publicKey, name: `home ${i}` }),
    });
    assert.equal(r.status, 201, r.text);
  }
}

/** A session token for `who`, by signing a fresh challenge. */
export async function sessionOf(live: LiveServer, who: Identity): Promise<Reply> {
  const { json } = await live.call("POST", "/v1/session/challenge");
  return live.call("POST", "/v1/session", {
    body: signDocument(
      "session",
      { action: "session.open", challenge: json.challenge },
      who,
      nonce(),
      Date.now() + MIN,
    ),
  });
}

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
