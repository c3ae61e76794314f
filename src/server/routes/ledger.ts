/**
 * The ledger as a verifier reads it: the latest signed head, the log's bytes (for a copy that
 * checks against the head pointer), one block, and inclusion and consistency proofs. Heads and
 * proofs come from one index of the ledger, grown by the blocks added since it was last read.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { InputError } from "../../core/errors.js";
import {
  GrowingIndex,
  type LedgerIndex,
  proveConsistencyIn,
  proveTradeIn,
} from "../../ledger/queries.js";
import { CHANNELS } from "../../service/marketFeed.js";
import type { Platform } from "../../service/platform.js";
import { LOG_FILE } from "../../store/ledgerStore.js";

/** The ledger's index, grown by the blocks added since it was last asked for. */
export function ledgerIndex(platform: Platform): () => LedgerIndex {
  const index = new GrowingIndex((height) => platform.blocks.at(height));
  return () => {
    for (let h = index.seen; h < platform.blocks.length; h++)
      index.add(platform.blocks.at(h) as string);
    return index;
  };
}

export function registerLedgerRoutes(
  app: FastifyInstance,
  platform: Platform,
  index: () => LedgerIndex,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get("/v1/ledger/head", { schema: { summary: "The latest signed head" } }, async () => {
    const heads = index().heads;
    return {
      height: heads.length - 1,
      seq: platform.feed.feed.lastSeq(CHANNELS.heads),
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
      const payload = platform.blocks.at(request.params.height);
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
}
