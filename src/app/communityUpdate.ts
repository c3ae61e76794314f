/**
 * An operator's community update made ready to sign: the interval it takes effect from and the
 * fields it changes, checked here with the community file's own schemas (so a bad tariff file
 * is named before anything is sent), and the server's answer as one record.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { formatIssue } from "../core/issues.js";
import { formatInstant } from "../core/time.js";
import { fromZodIssues } from "../core/zodIssues.js";
import { communityUpdateSchema } from "../formats/communityUpdate.js";

export interface CommunityUpdateOptions {
  /** The start of the interval the update takes effect from, epoch ms. */
  readonly fromMs: number;
  readonly mechanism?: string;
  /** k of k-pricing, 0 to 1 (with a mechanism: the market block is replaced whole). */
  readonly k?: number;
  readonly gateClosureMinutes?: number;
  readonly openHours?: number;
  /** The tariff block (the community file's form), as read from `tariffSource`. */
  readonly tariff?: unknown;
  readonly tariffSource?: string;
}

/** The `community.update` action, validated; E_INPUT names the first bad field (and its file). */
export function communityUpdateAction(o: CommunityUpdateOptions): Record<string, unknown> & {
  action: string;
} {
  const action = {
    action: "community.update",
    from_interval: formatInstant(o.fromMs),
    ...(o.mechanism === undefined
      ? {}
      : { market: { mechanism: o.mechanism, ...(o.k === undefined ? {} : { k: o.k }) } }),
    ...(o.tariff === undefined ? {} : { tariff: o.tariff }),
    ...(o.gateClosureMinutes === undefined ? {} : { gate_closure_minutes: o.gateClosureMinutes }),
    ...(o.openHours === undefined ? {} : { open_hours: o.openHours }),
  };
  const parsed = communityUpdateSchema.safeParse(action);
  if (!parsed.success) {
    const [issue] = fromZodIssues(parsed.error.issues, action);
    const inTariff = issue?.path[0] === "tariff" && o.tariffSource !== undefined;
    const where = inTariff ? `${o.tariffSource}: ` : "";
    const path = inTariff ? (issue?.path.slice(1) ?? []) : (issue?.path ?? []);
    throw new InputError(
      "E_INPUT",
      `${where}${issue === undefined ? "not a community update" : formatIssue({ ...issue, path })}`,
      { details: { field: issue?.path.join("."), expected: issue?.expected } },
    );
  }
  return action;
}

/** The server's answer to an update as one record; the fields it leaves unchanged are null. */
export function communityUpdateRecord(answer: {
  update: Record<string, unknown>;
  replaces: boolean;
}): Record<string, unknown> {
  const u = answer.update;
  const market = u.market as { mechanism: string; k?: number } | undefined;
  return {
    from_interval: u.from_interval,
    mechanism: market?.mechanism ?? null,
    k: market?.k ?? null,
    tariff: u.tariff === undefined ? null : canonicalize(u.tariff),
    gate_closure_minutes: u.gate_closure_minutes ?? null,
    open_hours: u.open_hours ?? null,
    replaces: answer.replaces,
  };
}
