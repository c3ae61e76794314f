/**
 * The market's time: `GET /v1/clock`, and `POST /v1/clock/advance`, the operator's signed move
 * of a manual clock, which then clears every interval whose gate the move passed.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { formatInstant } from "../../core/time.js";
import { signedDocumentSchema } from "../../ledger/signedDocument.js";
import { CHANNELS, clockRecord } from "../../service/marketFeed.js";
import type { Platform } from "../../service/platform.js";

export function registerClockRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community } = platform;

  api.get("/v1/clock", { schema: { summary: "The market's time" } }, async () => ({
    ...clockRecord(platform.clock.state()),
    seq: platform.feed.feed.lastSeq(CHANNELS.clock),
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
      await community.admin(request.body, {
        actions: ["clock.advance"],
        expected: "clock.advance",
      });
      const cleared = await platform.tick();
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
}
