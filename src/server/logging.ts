/**
 * The request log (pino, fastify's own): one line per request and per answer, each with the
 * request's id, which the answer echoes in `x-request-id`. A client or a proxy may send its own
 * id (letters, digits and `._:-`, at most 128), else the server makes one. Bodies are never
 * logged (fastify's request serializer keeps the method, URL, host and address), and what could
 * name a person or open an account is redacted wherever an object logged carries it: names,
 * meter ids, signatures, tokens, authorization headers.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyServerOptions } from "fastify";

export interface LogOptions {
  readonly level: string;
  /** Where the lines go (stdout by default). */
  readonly stream?: { write(line: string): unknown };
}

/** Fields redacted from every line, at the top level and one or two levels down. */
const SECRET_FIELDS = ["name", "meter_id", "meterId", "signature", "token", "authorization"];

export const REDACTED_PATHS: readonly string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  "body",
  "req.body",
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the client's `x-request-id` when it is a plain token, else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify's options for the log and request ids. */
export function loggingOptions(
  logger: boolean | LogOptions | undefined,
): Pick<FastifyServerOptions, "logger" | "genReqId" | "requestIdHeader"> {
  const base = { genReqId: requestIdOf, requestIdHeader: false as const };
  if (logger === undefined || logger === false) return { ...base, logger: false };
  const level = logger === true ? "info" : logger.level;
  const stream = logger === true ? undefined : logger.stream;
  return {
    ...base,
    logger: {
      level,
      redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
      ...(stream === undefined ? {} : { stream }),
    },
  };
}

/** Echoes each request's id in its answer. */
export function registerRequestIds(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
}
