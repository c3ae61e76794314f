/** `GET /v1/community`: the community file's public configuration, as the server runs it. */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Platform } from "../../service/platform.js";

export function registerCommunityRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    "/v1/community",
    { schema: { summary: "The community's public configuration" } },
    async () => platform.config.document,
  );
}
