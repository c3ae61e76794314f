/**
 * The live platform's HTTP API (fastify 5) over one community: public reads (clock, community,
 * participants, intervals, trades, ledger heads, blocks and proofs), signed writes (orders; the
 * operator's registrations, suspensions and manual clock), health, readiness and the OpenAPI
 * document. Every refusal is problem+json with a stable code (problems.ts); a refused request
 * changes nothing. Bodies are validated by the service (with the same messages as the files'),
 * so the schemas here document them.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import { GridshareError, InputError } from "../core/errors.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { parseCalendarDate } from "../core/timeZone.js";
import { intervalStartOf } from "../ledger/block.js";
import { envelopeSchema } from "../ledger/envelope.js";
import {
  indexBlocks,
  type LedgerIndex,
  proveConsistencyIn,
  proveTradeIn,
  tradeRecords,
} from "../ledger/queries.js";
import { parsePayload } from "../ledger/replay.js";
import { signedDocumentSchema } from "../ledger/signedDocument.js";
import { CHANNELS, clockRecord } from "../service/marketFeed.js";
import type { Platform } from "../service/platform.js";
import {
  gateClosesAt,
  localDayIntervals,
  openIntervals,
  opensAt,
  phaseAt,
} from "../service/schedule.js";
import { Sessions } from "../service/sessions.js";
import { LOG_FILE } from "../store/ledgerStore.js";
import { problemOf } from "./problems.js";
import { registerStream, type StreamOptions } from "./stream.js";

export interface AppOptions {
  /** Request bodies above this many bytes get E_TOO_LARGE (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Logs, one line per request (pino, fastify's own); off in tests. */
  readonly logger?: boolean | { level: string };
  /** The WebSocket feed's heartbeat and send-buffer bound. */
  readonly stream?: StreamOptions;
}

const instantParam = z.string().describe("an ISO 8601 instant, e.g. 2026-06-01T12:00:00Z");

function instantOf(text: string, field: string): number {
  const ms = parseInstant(text);
  if (ms === undefined)
    throw new InputError(
      "E_INPUT",
      `${field}: expected an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z, received ${JSON.stringify(text)}`,
      {
        details: { field, expected: "an ISO 8601 time with offset", received: text },
      },
    );
  return ms;
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

/** The ledger's index, rebuilt when a block was added. */
function ledgerIndex(platform: Platform): () => LedgerIndex {
  let index: LedgerIndex | undefined;
  let size = -1;
  return () => {
    if (index === undefined || size !== platform.blocks.length) {
      index = indexBlocks(platform.blocks);
      size = platform.blocks.length;
    }
    return index;
  };
}

export async function buildApp(
  platform: Platform,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
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

  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community, config } = platform;
  const schedule = community.schedule;
  const index = ledgerIndex(platform);
  const sessions = new Sessions(community.member, config.id);
  await registerStream(app, platform, sessions, options.stream);

  api.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  api.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await platform.db.query("select 1 from schema_migrations limit 1");
      return { ready: true };
    } catch {
      return reply
        .status(503)
        .type("application/problem+json")
        .send(
          problemOf(new InputError("E_UNAVAILABLE", "the database does not answer"), "/readyz"),
        );
    }
  });

  const seqOf = (channel: string) => platform.feed.feed.lastSeq(channel);

  api.get("/v1/clock", { schema: { summary: "The market's time" } }, async () => ({
    ...clockRecord(platform.clock.state()),
    seq: seqOf(CHANNELS.clock),
  }));

  api.post(
    "/v1/clock/advance",
    {
      schema: {
        summary: "Move a manual clock (admin-signed; tests only)",
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest, reply) => {
      const outcome = await community.admin(request.body);
      if (outcome.action.action !== "clock.advance")
        throw new InputError("E_INPUT", "document.action: expected clock.advance on this route", {
          details: {
            field: "document.action",
            expected: "clock.advance",
            received: outcome.action.action,
          },
        });
      const cleared = await community.tick();
      return reply.status(200).send({
        now: formatInstant(platform.clock.now()),
        cleared: cleared.map((c) => ({
          interval_start: formatInstant(c.intervalStartMs),
          block_height: c.blockHeight,
          orders: c.orders,
        })),
      });
    },
  );

  api.get(
    "/v1/community",
    { schema: { summary: "The community's public configuration" } },
    async () => config.document,
  );

  api.get("/v1/participants", { schema: { summary: "Participants (public part)" } }, async () => {
    const all = await community.store.participants();
    return {
      participants: all.map((p) => ({
        id: p.id,
        name: config.publicNames ? p.name : null,
        role: p.role,
        status: p.status,
      })),
    };
  });

  api.post(
    "/v1/participants",
    {
      schema: {
        summary: "Register, suspend or reinstate a participant (admin-signed)",
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest, reply) => {
      const outcome = await community.admin(request.body);
      if (outcome.action.action === "clock.advance")
        throw new InputError(
          "E_INPUT",
          "document.action: expected participant.add, participant.suspend or participant.reinstate on this route",
          {
            details: {
              field: "document.action",
              expected: "a participant action",
              received: outcome.action.action,
            },
          },
        );
      return reply
        .status(outcome.created && outcome.action.action === "participant.add" ? 201 : 200)
        .type("application/json")
        .send(outcome.answer);
    },
  );

  api.post(
    "/v1/orders",
    { schema: { summary: "Place a signed order for an upcoming interval", body: envelopeSchema } },
    async (request: FastifyRequest, reply) => {
      const accepted = await community.submit(request.body);
      return reply.status(accepted.created ? 201 : 200).send(accepted.receipt);
    },
  );

  api.post(
    "/v1/session/challenge",
    { schema: { summary: "A challenge to sign for a session token" } },
    async () => sessions.challenge(),
  );

  api.post(
    "/v1/session",
    {
      schema: {
        summary: "A session token (at most 15 minutes) for the member that signed a challenge",
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest, reply) =>
      reply.status(201).send(await sessions.open(request.body)),
  );

  api.get(
    "/v1/orders",
    {
      schema: {
        summary: "The caller's own orders (session token)",
        querystring: z.strictObject({
          interval: instantParam.optional(),
          status: z
            .enum(["open", "filled", "partially_filled", "unfilled", "rejected", "cancelled"])
            .optional(),
        }),
      },
    },
    async (request) => {
      const me = await sessions.participantOf(request.headers.authorization);
      const { interval, status } = request.query;
      const orders = await community.store.ordersOf(me.id, {
        ...(interval === undefined ? {} : { intervalStartMs: instantOf(interval, "interval") }),
        ...(status === undefined ? {} : { status }),
        limit: 500,
      });
      return {
        participant: me.id,
        seq: seqOf(CHANNELS.orders(me.id)),
        orders: orders.map((o) => ({
          order_id: o.orderId,
          interval_start: formatInstant(o.intervalStartMs),
          side: o.side,
          energy_kwh: o.envelope.order.energy_kwh,
          price_per_kwh: o.envelope.order.price_per_kwh,
          status: o.status,
          received_seq: o.receivedSeq,
        })),
      };
    },
  );

  api.delete(
    "/v1/orders/:id",
    {
      schema: {
        summary: "Cancel one of your open orders (a signed cancel)",
        params: z.strictObject({ id: z.string().min(1) }),
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const outcome = await community.cancel(request.body, request.params.id);
      return reply.status(200).type("application/json").send(outcome.answer);
    },
  );

  api.get(
    "/v1/intervals",
    {
      schema: {
        summary: "Intervals taking orders now, or those of one local day",
        querystring: z.strictObject({
          status: z.literal("open").optional(),
          day: z
            .string()
            .optional()
            .describe("a calendar day, YYYY-MM-DD, in the community's time zone"),
        }),
      },
    },
    async (request) => {
      const now = platform.clock.now();
      const record = (start: number, status: string) => ({
        start: formatInstant(start),
        gate_closes_at: formatInstant(gateClosesAt(schedule, start)),
        status,
      });
      const { day, status } = request.query;
      if (day === undefined)
        return { intervals: openIntervals(schedule, now).map((s) => record(s, "open")) };
      const date = parseCalendarDate(day);
      if (date === undefined)
        throw new InputError(
          "E_INPUT",
          `day: expected a calendar day YYYY-MM-DD, received ${JSON.stringify(day)}`,
          {
            details: { field: "day", expected: "YYYY-MM-DD", received: day },
          },
        );
      const lastCleared = (await community.store.lastCleared()) ?? Number.NEGATIVE_INFINITY;
      const intervals = localDayIntervals(schedule, date, config.timeZone)
        .map((s) => record(s, s <= lastCleared ? "cleared" : phaseAt(schedule, s, now)))
        .filter((i) => status === undefined || i.status === status);
      return { day, time_zone: config.timeZone, intervals };
    },
  );

  api.get(
    "/v1/intervals/:start",
    {
      schema: {
        summary: "One interval: its status, and its summary once cleared",
        params: z.strictObject({ start: instantParam }),
      },
    },
    async (request) => {
      const start = instantOf(request.params.start, "start");
      const record = await community.store.intervalRecord(start);
      const base = {
        start: formatInstant(start),
        opens_at: formatInstant(opensAt(schedule, start)),
        gate_closes_at: formatInstant(gateClosesAt(schedule, start)),
      };
      if (record !== undefined)
        return {
          ...base,
          status: "cleared",
          block_height: record.blockHeight,
          summary: record.summary === null ? null : JSON.parse(record.summary),
        };
      return {
        ...base,
        status: phaseAt(schedule, start, platform.clock.now()),
        block_height: null,
        summary: null,
        book: { seq: seqOf(CHANNELS.book(start)), ...platform.feed.bookView(start) },
      };
    },
  );

  api.get(
    "/v1/trades",
    {
      schema: {
        summary: "Trades, as the ledger records them",
        querystring: z.strictObject({
          interval: instantParam.optional(),
          participant: z.string().optional(),
        }),
      },
    },
    async (request) => {
      const { interval, participant } = request.query;
      const start = interval === undefined ? undefined : instantOf(interval, "interval");
      const blocks =
        start === undefined
          ? platform.blocks.slice(-96)
          : platform.blocks.filter(
              (b) => intervalStartOf(parsePayload(b)?.head) === formatInstant(start),
            );
      const trades = tradeRecords(blocks).filter(
        (t) => participant === undefined || t.buyer === participant || t.seller === participant,
      );
      return { seq: seqOf(CHANNELS.trades), trades: trades.slice(0, 5000) };
    },
  );

  api.get("/v1/ledger/head", { schema: { summary: "The latest signed head" } }, async () => {
    const heads = index().heads;
    return {
      height: heads.length - 1,
      seq: seqOf(CHANNELS.heads),
      head: heads[heads.length - 1] ?? null,
      pointer: platform.ledgerPointer(),
    };
  });

  api.get(
    "/v1/ledger/log",
    {
      schema: {
        summary:
          "The ledger log's first `bytes` bytes, as the file holds it (for a verifiable copy)",
        querystring: z.strictObject({ bytes: z.coerce.number().int().positive().optional() }),
      },
    },
    async (request, reply) => {
      const acknowledged = platform.ledgerPointer().log_bytes;
      const bytes = request.query.bytes ?? acknowledged;
      if (bytes > acknowledged)
        throw new InputError(
          "E_INPUT",
          `bytes: expected at most ${acknowledged} (the acknowledged log), received ${bytes}`,
          {
            details: { field: "bytes", expected: `at most ${acknowledged}`, received: bytes },
          },
        );
      return reply
        .type("application/octet-stream")
        .header("content-length", bytes)
        .send(createReadStream(join(platform.ledgerDir, LOG_FILE), { start: 0, end: bytes - 1 }));
    },
  );

  api.get(
    "/v1/ledger/blocks/:height",
    {
      schema: {
        summary: "One block: its head and entries",
        params: z.strictObject({ height: z.coerce.number().int().nonnegative() }),
      },
    },
    async (request, reply) => {
      const payload = platform.blocks[request.params.height];
      if (payload === undefined)
        throw new InputError(
          "E_NOT_FOUND",
          `height: no block ${request.params.height} (the ledger has ${platform.blocks.length})`,
          {
            details: {
              field: "height",
              expected: `0 to ${platform.blocks.length - 1}`,
              received: request.params.height,
            },
          },
        );
      return reply.type("application/json").send(payload);
    },
  );

  api.get(
    "/v1/ledger/proofs/inclusion",
    {
      schema: {
        summary: "An inclusion proof of one trade against a signed head",
        querystring: z.strictObject({
          tx: z.string().min(1),
          height: z.coerce.number().int().nonnegative().optional(),
        }),
      },
    },
    async (request) => proveTradeIn(index(), request.query.tx, request.query.height),
  );

  api.get(
    "/v1/ledger/proofs/consistency",
    {
      schema: {
        summary: "A consistency proof that the head at `to` extends the head at `from`",
        querystring: z.strictObject({
          from: z.coerce.number().int().nonnegative(),
          to: z.coerce.number().int().nonnegative(),
        }),
      },
    },
    async (request) => proveConsistencyIn(index(), request.query.from, request.query.to),
  );

  api.get("/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  return app;
}
