/**
 * What a member does in its own name beyond placing orders: opens a session (a challenge signed
 * with its key, for a token of at most 15 minutes), reads its own orders with that token, and
 * cancels one of its open orders with a signed cancel. Nothing here shows one member another's.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { formatInstant } from "../../core/time.js";
import { whToKwh } from "../../core/units.js";
import { signedDocumentSchema } from "../../ledger/signedDocument.js";
import { CHANNELS } from "../../service/marketFeed.js";
import type { Platform } from "../../service/platform.js";
import type { Sessions } from "../../service/sessions.js";
import { instantOf, instantParam } from "./params.js";

export function registerMemberRoutes(
  app: FastifyInstance,
  platform: Platform,
  sessions: Sessions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community } = platform;

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
        seq: platform.feed.feed.lastSeq(CHANNELS.orders(me.id)),
        orders: orders.map((o) => ({
          order_id: o.orderId,
          interval_start: formatInstant(o.intervalStartMs),
          side: o.side,
          energy_kwh: o.envelope.order.energy_kwh,
          price_per_kwh: o.envelope.order.price_per_kwh,
          status: o.status,
          received_seq: o.receivedSeq,
          // With cda, an open order's fills so far (its status changes only at clearing).
          ...(community.books === undefined || o.status !== "open"
            ? {}
            : {
                filled_kwh: whToKwh(
                  community.books.built(o.intervalStartMs)?.filledWh(me.id, o.orderId) ?? 0,
                ),
              }),
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
}
