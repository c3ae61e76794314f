/**
 * A community update: the operator's signed change of the market rules (context
 * `gridshare/admin/v1`, action `community.update`), in force from a named interval on. Each
 * field it names takes the community file's form and is validated by the community file's own
 * schema (communityFile.ts); a field it leaves out stays as it is. docs/platform.md explains
 * when an update is taken.
 *
 *   { "action": "community.update", "from_interval": "2026-06-02T00:00:00Z",
 *     "market": { "mechanism": "mcafee" }, "tariff": { ... }, "gate_closure_minutes": 10 }
 */
import { z } from "zod";
import { instantSchema } from "../market/orderDocument.js";
import {
  gateClosureMinutesSchema,
  marketSchema,
  openHoursSchema,
  tariffSchema,
} from "./communityFile.js";

/** The fields an update may change, each the community file's. */
export const UPDATE_FIELDS = ["market", "tariff", "gate_closure_minutes", "open_hours"] as const;

export const communityUpdateSchema = z
  .strictObject({
    action: z.literal("community.update"),
    from_interval: instantSchema,
    market: marketSchema.optional(),
    tariff: tariffSchema.optional(),
    gate_closure_minutes: gateClosureMinutesSchema.optional(),
    open_hours: openHoursSchema.optional(),
  })
  .refine((u) => UPDATE_FIELDS.some((f) => u[f] !== undefined), {
    path: ["market"],
    error: `at least one field to change: ${UPDATE_FIELDS.join(", ")}`,
  });

export type CommunityUpdateAction = z.output<typeof communityUpdateSchema>;

/** What an update changes, every default of the community file's forms filled in. */
export type RuleChanges = Partial<Pick<CommunityUpdateAction, (typeof UPDATE_FIELDS)[number]>>;

/** The changes of a validated update, without its action and interval. */
export function changesOf(update: CommunityUpdateAction): RuleChanges {
  const out: Record<string, unknown> = {};
  for (const f of UPDATE_FIELDS) if (update[f] !== undefined) out[f] = update[f];
  return out as RuleChanges;
}

/** Changes as recorded (canonical JSON of `changesOf`), read back. */
export function readChanges(text: string): RuleChanges {
  return communityUpdateSchema.transform(changesOf).parse({
    action: "community.update",
    from_interval: "1970-01-01T00:00:00Z",
    ...JSON.parse(text),
  });
}
