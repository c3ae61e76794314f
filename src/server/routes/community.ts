/**
 * `GET /v1/community`: the community file's public configuration as the server runs it, with
 * the rules in force now and the community updates scheduled; `POST /v1/community/updates`: the
 * operator's signed change of the rules from a later interval on.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { formatInstant } from "../../core/time.js";
import { signedDocumentSchema } from "../../ledger/signedDocument.js";
import type { RuleSet } from "../../service/communityRules.js";
import type { Platform } from "../../service/platform.js";
import { intervalStartOf } from "../../service/schedule.js";

/** The rules of an interval, in the community file's forms. */
function rulesRecord(rules: RuleSet) {
  return {
    market: rules.market ?? null,
    tariff: rules.tariff ?? null,
    gate_closure_minutes: rules.gateClosureMinutes,
    open_hours: rules.openHours,
  };
}

export function registerCommunityRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community } = platform;
  api.get(
    "/v1/community",
    { schema: { summary: "The community's public configuration, rules in force and updates" } },
    async () => {
      const rules = community.rules;
      const current = intervalStartOf(rules.schedule, platform.clock.now());
      return {
        ...platform.config.document,
        rules: { interval_start: formatInstant(current), ...rulesRecord(rules.rulesAt(current)) },
        updates: rules.scheduled
          .filter((u) => u.fromMs > current)
          .map((u) => ({ from_interval: formatInstant(u.fromMs), ...u.parsed })),
      };
    },
  );

  api.post(
    "/v1/community/updates",
    {
      schema: {
        summary: "Change the market rules from a later interval on (admin-signed)",
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest, reply) => {
      const outcome = await community.admin(request.body, {
        actions: ["community.update"],
        expected: "community.update",
      });
      return reply
        .status(outcome.created ? 201 : 200)
        .type("application/json")
        .send(outcome.answer);
    },
  );
}
