/**
 * The live platform's HTTP API (fastify 5) over one community: public reads (clock, community,
 * participants, intervals, trades, ledger heads, blocks and proofs), signed writes (orders; the
 * operator's registrations, suspensions and manual clock), health, readiness and the OpenAPI
 * document. Every refusal is problem+json with a stable code (problems.ts); a refused request
 * changes nothing. Bodies are validated by the service (with the same messages as the files'),
 * so the schemas here document them.
 *
 * This module assembles the app (plugins, error handling, limits, metrics, the OpenAPI document);
 * the routes live in routes/, one module per resource.
 */
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { GridshareError, InputError } from "../core/errors.js";
import type { Platform } from "../service/platform.js";
import { Sessions } from "../service/sessions.js";
import { registerAudit } from "./audit.js";
import { type LogOptions, loggingOptions, registerRequestIds } from "./logging.js";
import { registerMetrics } from "./metrics.js";
import { problemOf } from "./problems.js";
import { type RateLimits, registerRateLimits } from "./rateLimit.js";
import { registerClockRoutes } from "./routes/clock.js";
import { registerCommunityRoutes } from "./routes/community.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIntervalRoutes } from "./routes/intervals.js";
import { registerKeyRoutes } from "./routes/keys.js";
import { ledgerIndex, registerLedgerRoutes } from "./routes/ledger.js";
import { registerMemberRoutes } from "./routes/members.js";
import { registerOrderRoutes } from "./routes/orders.js";
import { registerParticipantRoutes } from "./routes/participants.js";
import { registerTradeRoutes } from "./routes/trades.js";
import { faultRefusal, Lifecycle, registerWriteGate } from "./shutdown.js";
import { registerStream, type StreamOptions } from "./stream.js";

export interface AppOptions {
  /** Request bodies above this many bytes get E_TOO_LARGE (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Logs, one line per request (pino, fastify's own, with request ids); off in tests. */
  readonly logger?: boolean | LogOptions;
  /** Rate limits per participant and per address (none by default; `serve` sets them). */
  readonly rateLimit?: RateLimits | "off";
  /** Trust `X-Forwarded-For` for the client's address (behind a reverse proxy). */
  readonly trustProxy?: boolean;
  /** `/metrics` for bearers of this token; without one, for loopback clients only. */
  readonly metricsToken?: string | undefined;
  /** Draining before a stop: writes refused with 503 (shutdown.ts). */
  readonly lifecycle?: Lifecycle;
  /** The WebSocket feed's heartbeat and send-buffer bound. */
  readonly stream?: StreamOptions;
}

/** Fastify's own errors (body size, JSON syntax, a bad query or path) as ours. */
function asOurs(error: unknown, bodyLimit: number): unknown {
  if (error instanceof GridshareError) return error;
  const e = error as {
    code?: string;
    statusCode?: number;
    message?: string;
    validation?: { instancePath?: string; message?: string }[];
    validationContext?: string;
  };
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new InputError("E_TOO_LARGE", `the body is larger than ${bodyLimit} bytes`, {
      details: { expected: `at most ${bodyLimit} bytes` },
    });
  if (e.validation !== undefined && e.validation.length > 0) {
    const [first] = e.validation;
    const field = `${e.validationContext ?? "request"}${(first?.instancePath ?? "").replaceAll("/", ".")}`;
    return new InputError("E_INPUT", `${field}: ${first?.message ?? "invalid"}`, {
      details: { field, expected: first?.message },
    });
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
    return new InputError("E_INPUT", e.message ?? "the request cannot be read");
  return error;
}

/** Bodies are checked by the service; the route schemas only document them. */
const documentingValidator: typeof validatorCompiler = (route) =>
  route.httpPart === "body" ? (data: unknown) => ({ value: data }) : validatorCompiler(route);

export async function buildApp(
  platform: Platform,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggingOptions(options.logger),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    // While closing, writes get our own 503 problem (shutdown.ts) and reads are still answered.
    return503OnClosing: false,
  });
  app.setValidatorCompiler(documentingValidator);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => {
    const problem = problemOf(asOurs(error, options.bodyLimit ?? 1024 * 1024), request.url);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    void reply.status(problem.status).type("application/problem+json").send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = problemOf(
      new InputError("E_NOT_FOUND", `no route ${request.method} ${request.url}`),
      request.url,
    );
    void reply.status(404).type("application/problem+json").send(problem);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "gridshare live platform",
        description:
          "A community energy market: signed orders, gate closure, a verifiable ledger. See docs/platform.md.",
        version: "1",
      },
    },
    transform: jsonSchemaTransform,
  });

  registerRequestIds(app);
  const lifecycle = options.lifecycle ?? new Lifecycle();
  registerWriteGate(app, () => lifecycle.refusal() ?? faultRefusal(platform.failure()));
  await registerRateLimits(app, options.rateLimit ?? "off");
  registerMetrics(app, platform, { token: options.metricsToken });

  const sessions = new Sessions(
    platform.community.member,
    platform.config.id,
    platform.config.adminPublicKey,
  );
  await registerStream(app, platform, sessions, options.stream);
  registerAudit(app, platform, sessions);

  // The routes by resource, in this order: the OpenAPI document lists their paths as registered.
  registerHealthRoutes(app, platform);
  registerClockRoutes(app, platform);
  registerCommunityRoutes(app, platform);
  registerParticipantRoutes(app, platform);
  registerKeyRoutes(app, platform);
  registerOrderRoutes(app, platform);
  registerMemberRoutes(app, platform, sessions);
  registerIntervalRoutes(app, platform);
  const index = ledgerIndex(platform);
  registerTradeRoutes(app, platform, index);
  registerLedgerRoutes(app, platform, index);

  app.get("/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  return app;
}
