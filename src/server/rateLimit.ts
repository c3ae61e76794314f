/**
 * Rate limits (@fastify/rate-limit, on wall time): each address, and each participant a request
 * speaks for. The address limit runs first, before the body is read; the participant limit runs
 * once the body is parsed, keyed by the signed document's `public_key` (orders, cancels,
 * sessions, the operator's documents) or by the session token's participant. Both are counted
 * before the signature is checked, so a request that claims another's key counts against that
 * key; the address limit bounds how fast anyone can do that. A refusal is 429 `E_RATE_LIMITED`
 * with `Retry-After` (seconds); health, readiness and metrics are not limited.
 */
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { InputError } from "../core/errors.js";
import { participantIdOf } from "../ledger/keys.js";
import { problemOf } from "./problems.js";

export interface RateLimits {
  /** Requests per window per participant (20 by default). */
  readonly perParticipant: number;
  /** Requests per window per address (200 by default). */
  readonly perAddress: number;
  /** The window, in wall milliseconds (1 s by default). */
  readonly windowMs?: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perParticipant: 20, perAddress: 200 };

/** What `--rate-limit N` means: N per participant, ten times that per address, each second. */
export function rateLimitsOf(perParticipant: number): RateLimits {
  return { perParticipant, perAddress: 10 * perParticipant };
}

const UNLIMITED = new Set(["/healthz", "/readyz", "/metrics"]);

function unlimited(request: FastifyRequest): boolean {
  return UNLIMITED.has(request.url.split("?")[0] ?? "");
}

/**
 * The participant a request speaks for (a key's participant id, so a member's signed documents
 * and its session share one count), read without checking it: undefined when none.
 */
export function speakerOf(request: FastifyRequest): string | undefined {
  const body = request.body as { public_key?: unknown } | undefined;
  if (
    body !== null &&
    typeof body === "object" &&
    typeof body.public_key === "string" &&
    /^[0-9a-f]{64}$/.test(body.public_key)
  )
    return participantIdOf(body.public_key);
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
  const payload = token?.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const sub = (
      JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown }
    ).sub;
    return typeof sub === "string" ? sub : undefined;
  } catch {
    return undefined;
  }
}

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

async function refuseOver(
  limiter: Limiter,
  request: FastifyRequest,
  reply: FastifyReply,
  what: string,
): Promise<FastifyReply | undefined> {
  const state = await limiter(request);
  if (state.isAllowed || !state.isExceeded) return undefined;
  const retry = Math.max(1, state.ttlInSeconds);
  const problem = problemOf(
    new InputError(
      "E_RATE_LIMITED",
      `too many requests from this ${what}: at most ${state.max} per ${state.timeWindow} ms; retry in ${retry} s`,
      { details: { expected: `at most ${state.max} requests per ${state.timeWindow} ms` } },
    ),
    request.url,
  );
  return reply
    .status(429)
    .header("retry-after", String(retry))
    .type("application/problem+json")
    .send(problem);
}

/** Adds both limits to `app` (nothing with "off"). */
export async function registerRateLimits(
  app: FastifyInstance,
  limits: RateLimits | "off",
): Promise<void> {
  if (limits === "off") return;
  await app.register(fastifyRateLimit, { global: false });
  const timeWindow = limits.windowMs ?? 1000;
  const byAddress = app.createRateLimit({
    max: limits.perAddress,
    timeWindow,
    keyGenerator: (request) => `address:${request.ip}`,
  });
  const byParticipant = app.createRateLimit({
    max: limits.perParticipant,
    timeWindow,
    keyGenerator: (request) => speakerOf(request) ?? "",
    allowList: (request) => speakerOf(request) === undefined,
  });
  app.addHook("onRequest", async (request, reply) => {
    if (unlimited(request)) return;
    return refuseOver(byAddress, request, reply, "address");
  });
  app.addHook("preHandler", async (request, reply) => {
    if (unlimited(request)) return;
    return refuseOver(byParticipant, request, reply, "participant");
  });
}
