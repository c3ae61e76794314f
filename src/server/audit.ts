/**
 * `GET /v1/audit`: the operator's actions as the audit log holds them (every accepted
 * admin-signed document: time, action, target, signer and the document's hash), oldest first,
 * paged by cursor. Only an operator session reads it (a token from a challenge signed with the
 * admin key); a member's session gets 403, no session 401.
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { formatInstant } from "../core/time.js";
import type { Platform } from "../service/platform.js";
import type { Sessions } from "../service/sessions.js";

const PAGE = 100;
const MAX_PAGE = 500;

export function registerAudit(app: FastifyInstance, platform: Platform, sessions: Sessions): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/audit",
    {
      schema: {
        summary: "The operator's actions, oldest first (operator session)",
        querystring: z.strictObject({
          after: z.coerce.number().int().nonnegative().optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
        }),
      },
    },
    async (request) => {
      await sessions.operatorOf(request.headers.authorization);
      const limit = request.query.limit ?? PAGE;
      const entries = await platform.community.store.auditLog(request.query.after ?? 0, limit);
      const last = entries.at(-1);
      return {
        entries: entries.map((e) => ({
          seq: e.seq,
          at: formatInstant(e.atMs),
          action: e.action,
          target: e.target,
          actor: e.actor,
          document_hash: e.documentHash,
        })),
        next: entries.length === limit && last !== undefined ? last.seq : null,
      };
    },
  );
}
