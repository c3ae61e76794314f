/**
 * `POST /v1/orders`: a member's signed order for an upcoming interval (201 when taken, 200 with
 * the same receipt for the same bytes again; intake.ts does the checks).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { envelopeSchema } from "../../ledger/envelope.js";
import type { Platform } from "../../service/platform.js";

export function registerOrderRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.post(
    "/v1/orders",
    { schema: { summary: "Place a signed order for an upcoming interval", body: envelopeSchema } },
    async (request: FastifyRequest, reply) => {
      const accepted = await platform.community.submit(request.body);
      return reply.status(accepted.created ? 201 : 200).send(accepted.receipt);
    },
  );
}
