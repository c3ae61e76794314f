/**
 * What must hold after every restart of a killed server, checked through its API against what
 * the crash test sent (crashWorld.ts): the clock not behind anything acknowledged; every
 * acknowledged order there exactly once and as signed; nothing there that was refused or never
 * sent; an unacknowledged order either absent or whole, and once seen, kept; every interval
 * whose gate has closed cleared, with none of its orders left open.
 */
import assert from "node:assert/strict";
import { formatInstant, parseInstant } from "../../src/core/time.js";
import type { Identity } from "../../src/ledger/keys.js";
import { signDocument } from "../../src/ledger/signedDocument.js";
import { type CrashWorld, GATE_MS, orderKey } from "./crashWorld.js";

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  readonly json: any;
}

/** One request; throws when no answer comes (the server is down or died mid-request). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  return { status: r.status, json: text === "" ? null : JSON.parse(text) };
}

/** The clock the server shows; never behind what was acknowledged or shown before. */
export async function checkClock(base: string, world: CrashWorld): Promise<number> {
  const { json } = await call(base, "GET", "/v1/clock");
  const now = parseInstant(json.now) as number;
  assert.ok(
    now >= world.clockFloorMs,
    `the clock resumed at ${json.now}, behind ${formatInstant(world.clockFloorMs)} (acknowledged or shown before)`,
  );
  world.clockFloorMs = now;
  return now;
}

async function sessionOf(base: string, world: CrashWorld, who: Identity): Promise<string> {
  const challenge = await call(base, "POST", "/v1/session/challenge");
  const doc = { action: "session.open", challenge: challenge.json.challenge };
  const signed = signDocument("session", doc, who, world.nonce(), Date.now() + 60_000);
  const opened = await call(base, "POST", "/v1/session", signed);
  assert.equal(opened.status, 201, JSON.stringify(opened.json));
  return opened.json.token as string;
}

interface ListedOrder {
  readonly order_id: string;
  readonly interval_start: string;
  readonly side: string;
  readonly energy_kwh: number;
  readonly price_per_kwh: number;
  readonly status: string;
}

/** All of a member's orders: one page when it has fewer than the bound, else by interval. */
async function ordersOf(base: string, world: CrashWorld, token: string): Promise<ListedOrder[]> {
  const all = (await call(base, "GET", "/v1/orders", undefined, token)).json.orders;
  if (all.length < 500) return all;
  const out: ListedOrder[] = [];
  for (const start of world.intervals()) {
    const q = `/v1/orders?interval=${formatInstant(start)}`;
    const page = (await call(base, "GET", q, undefined, token)).json.orders;
    assert.ok(page.length < 500, "more than 500 orders of one member in one interval");
    out.push(...page);
  }
  return out;
}

/** Every member's orders against what was sent; returns the orders per interval as listed. */
async function checkOrders(base: string, world: CrashWorld): Promise<Map<number, ListedOrder[]>> {
  const byInterval = new Map<number, ListedOrder[]>();
  const listedKeys = new Set<string>();
  for (const who of world.members) {
    const listed = await ordersOf(base, world, await sessionOf(base, world, who));
    for (const o of listed) {
      const start = parseInstant(o.interval_start) as number;
      const key = orderKey(start, o.order_id);
      assert.ok(!listedKeys.has(key), `order ${key} is listed twice`);
      listedKeys.add(key);
      const sent = world.orders.get(key);
      assert.ok(sent !== undefined, `order ${key} is listed but was never sent`);
      assert.notEqual(sent.fate, "refused", `order ${key} was refused, yet it is there`);
      assert.equal(sent.participant, who.participant, `order ${key}: not its sender's`);
      const signed = sent.envelope.order;
      assert.deepEqual(
        [o.side, o.energy_kwh, o.price_per_kwh],
        [signed.side, signed.energy_kwh, signed.price_per_kwh],
        `order ${key} is not as signed`,
      );
      sent.seen = true;
      byInterval.set(start, [...(byInterval.get(start) ?? []), o]);
    }
  }
  for (const [key, sent] of world.orders) {
    if (sent.fate === "acked") assert.ok(listedKeys.has(key), `acknowledged order ${key} is gone`);
    else if (sent.seen) assert.ok(listedKeys.has(key), `order ${key}, seen before, is gone`);
  }
  return byInterval;
}

/** Every interval whose gate is at or before `now` is cleared, and none of its orders open. */
async function checkIntervals(
  base: string,
  world: CrashWorld,
  now: number,
  byInterval: Map<number, ListedOrder[]>,
): Promise<void> {
  for (const start of world.intervals()) {
    const closed = start - GATE_MS <= now;
    const open = (byInterval.get(start) ?? []).filter((o) => o.status === "open");
    if (!closed) {
      assert.equal(open.length, (byInterval.get(start) ?? []).length, "cleared before its gate");
      continue;
    }
    if (!world.cleared.has(start)) {
      const { json } = await call(base, "GET", `/v1/intervals/${formatInstant(start)}`);
      assert.equal(
        json.status,
        "cleared",
        `the gate of ${formatInstant(start)} closed at or before ${formatInstant(now)}, yet the interval is ${json.status}`,
      );
      world.cleared.add(start);
    }
    assert.deepEqual(
      open.map((o) => o.order_id),
      [],
      `orders of the cleared interval ${formatInstant(start)} are still open`,
    );
  }
}

/** All the checks, in order; returns the clock the server shows and the orders it lists. */
export async function checkServer(
  base: string,
  world: CrashWorld,
): Promise<{ now: number; byInterval: Map<number, ListedOrder[]> }> {
  const now = await checkClock(base, world);
  const byInterval = await checkOrders(base, world);
  await checkIntervals(base, world, now, byInterval);
  return { now, byInterval };
}
