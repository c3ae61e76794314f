/**
 * Participants: the public list (names only where the community makes them public), paged by
 * id, and the operator's signed registrations, suspensions, reinstatements and re-bindings
 * (which routes/keys.ts also takes).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { signedDocumentSchema } from "../../ledger/signedDocument.js";
import type { Platform } from "../../service/platform.js";

export function registerParticipantRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community, config } = platform;

  api.get(
    "/v1/participants",
    {
      schema: {
        summary: "Participants (public part), by id, a page at a time",
        querystring: z.strictObject({
          after: z.string().optional().describe("next_cursor of the page before: the last id"),
          limit: z.coerce.number().int().min(1).max(5000).optional(),
        }),
      },
    },
    async (request) => {
      const { after, limit = 1000 } = request.query;
      const all = (await community.store.participants())
        .filter((p) => after === undefined || p.id > after)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const page = all.slice(0, limit);
      return {
        participants: page.map((p) => ({
          id: p.id,
          name: config.publicNames ? p.name : null,
          role: p.role,
          status: p.status,
        })),
        next_cursor: all.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  api.post(
    "/v1/participants",
    {
      schema: {
        summary: "Register, suspend, reinstate or re-bind a participant (admin-signed)",
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest, reply) => {
      const outcome = await community.admin(request.body, {
        actions: [
          "participant.add",
          "participant.suspend",
          "participant.reinstate",
          "participant.rebind",
        ],
        expected:
          "participant.add, participant.suspend, participant.reinstate or participant.rebind",
      });
      return reply
        .status(outcome.created && outcome.action.action === "participant.add" ? 201 : 200)
        .type("application/json")
        .send(outcome.answer);
    },
  );
}
