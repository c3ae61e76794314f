/**
 * `/healthz` (the process answers) and `/readyz` (the database answers too), for a load balancer
 * or an orchestrator; both are left out of the OpenAPI document.
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { InputError } from "../../core/errors.js";
import type { Platform } from "../../service/platform.js";
import { problemOf } from "../problems.js";

export function registerHealthRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
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
}
