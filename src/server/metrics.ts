/**
 * Prometheus metrics at `/metrics` (prom-client, one registry per app, so several servers in a
 * process keep their own): orders accepted, replayed and rejected by code, the duration of each
 * gate closure, the ledger's height, and request latency by route, with the process's own.
 *
 * The process's own (memory, CPU, event loop, GC) are collected once per process, in a registry
 * of their own that every app's `/metrics` serves with its registry: prom-client starts monitors
 * for them (an event-loop-delay histogram, a GC observer) that nothing can stop, and started per
 * app they would hold each closed app's registry, and through it its platform, for ever.
 *
 * Who may read them: with a token, whoever sends `Authorization: Bearer <token>`; without one,
 * only a client on the loopback (the client's address as the server takes it, so behind a proxy
 * with `--trust-proxy`, the forwarded client's). Anyone else gets 403 E_FORBIDDEN.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { InputError } from "../core/errors.js";
import type { Platform } from "../service/platform.js";
import { problemOf } from "./problems.js";

export interface MetricsOptions {
  /** When given, `/metrics` answers any client that sends it as a bearer token, and no other. */
  readonly token?: string | undefined;
}

/** True for an address on the loopback (127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

const digest = (text: string) => createHash("sha256").update(text).digest();

function allowed(request: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined) return isLoopback(request.ip);
  const given = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

function refuse(request: FastifyRequest, reply: FastifyReply, token: boolean): FastifyReply {
  const why = token
    ? "metrics need the metrics token (Authorization: Bearer <token>)"
    : "metrics are served on the loopback only (or with --metrics-token)";
  return reply
    .status(403)
    .type("application/problem+json")
    .send(problemOf(new InputError("E_FORBIDDEN", why), request.url));
}

/** The code of a refused order, read from its problem document. */
function codeOf(payload: unknown): string {
  if (typeof payload !== "string") return "unknown";
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === "string" ? code : "unknown";
  } catch {
    return "unknown";
  }
}

function instruments(register: Registry, platform: Platform) {
  const labels = { registers: [register] };
  const accepted = new Counter({
    name: "gridshare_orders_accepted_total",
    help: "Orders accepted (201)",
    ...labels,
  });
  const replayed = new Counter({
    name: "gridshare_orders_replayed_total",
    help: "Orders posted again, answered as the first time (200)",
    ...labels,
  });
  const rejected = new Counter({
    name: "gridshare_orders_rejected_total",
    help: "Orders refused, by error code",
    labelNames: ["code"],
    ...labels,
  });
  const closure = new Histogram({
    name: "gridshare_gate_closure_seconds",
    help: "How long clearing an interval at its gate took, block durable and database marked",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ...labels,
  });
  new Gauge({
    name: "gridshare_ledger_height",
    help: "Height of the ledger's last acknowledged block (-1: none)",
    collect() {
      this.set(platform.ledgerPointer().height);
    },
    ...labels,
  });
  const latency = new Histogram({
    name: "gridshare_http_request_duration_seconds",
    help: "Time to answer a request, by method, route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ...labels,
  });
  return { accepted, replayed, rejected, closure, latency };
}

let processRegistry: Registry | undefined;

/** The process's own metrics, collected from the first call on. */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: "gridshare_" });
  }
  return processRegistry;
}

/** Adds `/metrics` and the hooks that feed it. */
export function registerMetrics(
  app: FastifyInstance,
  platform: Platform,
  options: MetricsOptions = {},
): void {
  const register = new Registry();
  const m = instruments(register, platform);
  const served = Registry.merge([processMetrics(), register]);
  platform.onCleared((_closed, durationMs) => m.closure.observe(durationMs / 1000));

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.method !== "POST" || request.routeOptions.url !== "/v1/orders") return payload;
    if (reply.statusCode === 201) m.accepted.inc();
    else if (reply.statusCode === 200) m.replayed.inc();
    else m.rejected.inc({ code: codeOf(payload) });
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    if (route === "/metrics") return;
    m.latency.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    "/metrics",
    {
      schema: { hide: true },
      onRequest: async (request, reply) => {
        if (!allowed(request, options.token))
          return refuse(request, reply, options.token !== undefined);
      },
    },
    async (_request, reply) => reply.type(served.contentType).send(await served.metrics()),
  );
}
