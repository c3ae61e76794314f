/** `GET /v1/trades`: the trades tape as the ledger records it, a page at a time (tradePages.ts). */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { formatInstant } from "../../core/time.js";
import type { LedgerIndex } from "../../ledger/queries.js";
import { CHANNELS } from "../../service/marketFeed.js";
import type { Platform } from "../../service/platform.js";
import { tradePage } from "../tradePages.js";
import { instantOf, instantParam } from "./params.js";

export function registerTradeRoutes(
  app: FastifyInstance,
  platform: Platform,
  index: () => LedgerIndex,
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/trades",
    {
      schema: {
        summary: "Trades, as the ledger records them, a page at a time",
        querystring: z.strictObject({
          interval: instantParam.optional(),
          participant: z.string().optional(),
          cursor: z.string().optional().describe("next_cursor of the page before"),
          limit: z.coerce.number().int().min(1).max(5000).optional(),
        }),
      },
    },
    async (request) => {
      const { interval, participant, cursor, limit } = request.query;
      const start = interval === undefined ? undefined : instantOf(interval, "interval");
      const page = tradePage(platform.blocks, index().heads, {
        intervalStart: start === undefined ? undefined : formatInstant(start),
        participant,
        cursor,
        limit: limit ?? 500,
      });
      return { seq: platform.feed.feed.lastSeq(CHANNELS.trades), ...page };
    },
  );
}
