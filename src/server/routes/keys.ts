/**
 * A participant's keys: the public list of the keys bound to it, whose participant a key is,
 * and binding a new key (a member's rotation signed by its current key, or the operator's
 * re-binding of a lost one). The participant's id never changes.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { InputError } from "../../core/errors.js";
import { formatInstant } from "../../core/time.js";
import { signedDocumentSchema } from "../../ledger/signedDocument.js";
import type { Platform } from "../../service/platform.js";
import type { Participant, ParticipantKey } from "../../store/communityStore.js";

const keyParam = z.string().regex(/^[0-9a-f]{64}$/, { error: "64 lowercase hex digits" });

/** A key as the API shows it: bound from (null: since registration) until (null: still). */
function keyRecord(k: ParticipantKey, current: string) {
  return {
    public_key: k.publicKey,
    valid_from: k.validFromMs === null ? null : formatInstant(k.validFromMs),
    valid_until: k.validUntilMs === null ? null : formatInstant(k.validUntilMs),
    current: k.publicKey === current,
  };
}

function notFound(what: string, field: string, received: string): InputError {
  return new InputError("E_NOT_FOUND", `no ${what} in this community`, {
    details: { field, received },
  });
}

export function registerKeyRoutes(app: FastifyInstance, platform: Platform): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { community } = platform;
  const keysOf = (p: Participant) => p.keys.map((k) => keyRecord(k, p.publicKey));

  api.get(
    "/v1/participants/:id/keys",
    {
      schema: {
        summary: "The keys bound to a participant, each with the intervals it signs for",
        params: z.strictObject({ id: z.string().min(1) }),
      },
    },
    async (request) => {
      const p = await community.store.participantById(request.params.id);
      if (p === undefined) throw notFound("such participant", "id", request.params.id);
      return { participant: p.id, keys: keysOf(p) };
    },
  );

  api.get(
    "/v1/keys/:public_key",
    {
      schema: {
        summary: "Whose key this is, and the intervals it signs for",
        params: z.strictObject({ public_key: keyParam }),
      },
    },
    async (request) => {
      const key = request.params.public_key;
      const p = await community.store.participantByKey(key);
      const record = p && keysOf(p).find((k) => k.public_key === key);
      if (p === undefined || record === undefined)
        throw notFound("participant holding this key", "public_key", key);
      return { participant: p.id, status: p.status, ...record };
    },
  );

  api.post(
    "/v1/participants/:id/keys",
    {
      schema: {
        summary:
          "Bind a new key to a participant: its rotation (key.rotate, signed by its current key) or the operator's re-binding (participant.rebind, admin-signed)",
        params: z.strictObject({ id: z.string().min(1) }),
        body: signedDocumentSchema,
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const body = request.body as { document?: { action?: unknown; participant?: unknown } };
      const addressed = request.params.id;
      let outcome: { created: boolean; answer: string };
      if (body.document?.action === "participant.rebind") {
        if (body.document.participant !== addressed)
          throw new InputError(
            "E_INPUT",
            `document.participant: the document re-binds ${JSON.stringify(body.document.participant)}, not ${addressed} as addressed`,
            { details: { field: "document.participant", expected: addressed } },
          );
        outcome = await community.admin(body);
      } else outcome = await community.rotateKey(body, addressed);
      return reply
        .status(outcome.created ? 201 : 200)
        .type("application/json")
        .send(outcome.answer);
    },
  );
}
