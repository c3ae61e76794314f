/**
 * The operator's `community.update`: a change of the market rules (mechanism and k, tariff,
 * gate closure, opening hours) from a named interval on. It is taken only when that interval
 * and every later one have not opened for orders yet, under the rules in force and under the
 * rules it makes, so no interval that takes (or took) an order ever changes rules; a later
 * document for the same interval replaces the earlier one whole. Recorded with its effect in one
 * transaction (its audit entry and its place in the registry's documents with it), then put in
 * force; the same bytes again get the first answer, even once the interval has opened.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { sha256Hex } from "../core/ids.js";
import { formatIssue, type ValidationIssue } from "../core/issues.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { type CommunityUpdateAction, changesOf } from "../formats/communityUpdate.js";
import type { SignedDocument } from "../ledger/signedDocument.js";
import type { CommunityStore } from "../store/communityStore.js";
import type { MarketClock } from "./clock.js";
import {
  type CommunityRules,
  type ResolvedUpdate,
  resolveUpdate,
  type TariffResolver,
} from "./communityRules.js";
import { nonceReused, refuse } from "./refusals.js";
import { firstUnopened, isIntervalStart, type Schedule } from "./schedule.js";

export interface UpdateContext {
  readonly store: CommunityStore;
  readonly clock: MarketClock;
  readonly wall: () => number;
  readonly rules: CommunityRules;
  readonly resolveTariff: TariffResolver;
}

/** Whether every interval from `fromMs` on is still to open at `now`. */
const unopenedFrom = (s: Schedule, fromMs: number, now: number) => firstUnopened(s, now) <= fromMs;

/** The earliest interval from `fromMs` on that `update` could take effect from at `now`. */
function earliestFrom(
  rules: CommunityRules,
  update: ResolvedUpdate,
  now: number,
): number | undefined {
  const step = rules.schedule.intervalMinutes * 60_000;
  let t = Math.max(update.fromMs, firstUnopened(rules.schedule, now));
  // No timing opens an interval more than a week ahead: past that, every interval is unopened.
  for (let i = 0; i <= (169 * 3_600_000) / step; i++, t += step)
    if (unopenedFrom(rules.with({ ...update, fromMs: t }).schedule, t, now)) return t;
  return undefined;
}

/** Refuses an update whose interval, or a later one, has opened (or would open at once). */
function checkFuture(
  rules: CommunityRules,
  update: ResolvedUpdate,
  text: string,
  now: number,
): void {
  const openNow = !unopenedFrom(rules.schedule, update.fromMs, now);
  if (!openNow && unopenedFrom(rules.with(update).schedule, update.fromMs, now)) return;
  const step = rules.schedule.intervalMinutes * 60_000;
  const why = openNow
    ? `orders are open up to the interval starting ${formatInstant(firstUnopened(rules.schedule, now) - step)}, and a running interval never changes rules`
    : "under the update's timing, the intervals from it on would open for orders at once";
  const earliest = earliestFrom(rules, update, now);
  throw refuse(
    "E_CONFLICT",
    "document.from_interval",
    `an interval from which none has opened for orders, under the rules in force and under the update's, at the market's time ${formatInstant(now)}${earliest === undefined ? "" : `: ${formatInstant(earliest)} or later`}`,
    text,
    `the update cannot take effect from ${formatInstant(update.fromMs)}: ${why}${earliest === undefined ? "" : `; it could from ${formatInstant(earliest)}`}`,
  );
}

/**
 * Refuses an update that would move the market to or from `cda`: a continuous market matches
 * orders as they arrive, in books the platform keeps from the community's start, which the
 * mechanisms cleared at the gate do not have (and the other way round).
 */
function checkContinuity(rules: CommunityRules, update: ResolvedUpdate, named: string): void {
  const next = update.set.mechanism;
  if (next === undefined) return;
  const now = rules.rulesAt(update.fromMs).mechanism;
  if ((next.name === "cda") === (now.name === "cda")) return;
  throw refuse(
    "E_CONFLICT",
    "document.market.mechanism",
    now.name === "cda"
      ? "cda (a continuous market stays continuous)"
      : "a mechanism cleared at the gate (not cda)",
    named,
    `the market cannot change from ${now.name} to ${next.name} by an update: a cda market matches continuously and the others clear at the gate; start a new community for the other kind`,
  );
}

/** Refuses an update that would leave an interval's orders closing before they open. */
function checkTiming(rules: CommunityRules, update: ResolvedUpdate): void {
  for (const c of rules.with(update).schedule.changes ?? []) {
    if (c.fromMs < update.fromMs || c.gateClosureMinutes <= 60 * c.openHours) continue;
    const field =
      update.set.gateClosureMinutes === undefined ? "open_hours" : "gate_closure_minutes";
    throw refuse(
      "E_INPUT",
      `document.${field}`,
      `a gate closure of at most 60 × open_hours = ${60 * c.openHours} minutes (an interval's orders close after they open)`,
      update.parsed[field],
      `from ${formatInstant(c.fromMs)} the gate would close ${c.gateClosureMinutes} minutes before an interval, but its orders open only ${c.openHours} hours before it`,
    );
  }
}

/** The update as the rules will hold it: its interval checked, its changes priced. */
async function planned(ctx: UpdateContext, action: CommunityUpdateAction, digest: string) {
  const fromMs = parseInstant(action.from_interval) as number;
  const s = ctx.rules.schedule;
  if (!isIntervalStart(s, fromMs))
    throw refuse(
      "E_INPUT",
      "document.from_interval",
      `the start of a ${s.intervalMinutes}-minute interval (aligned to UTC)`,
      action.from_interval,
      `document.from_interval: ${action.from_interval} is not the start of a ${s.intervalMinutes}-minute interval`,
    );
  const parsed = changesOf(action);
  let update: ResolvedUpdate;
  try {
    update = await resolveUpdate(
      { fromMs, changes: canonicalize(parsed), documentHash: digest },
      ctx.resolveTariff,
      parsed,
    );
  } catch (error) {
    // A time of use that leaves part of the day without a price, as the community file's.
    const issues = error instanceof InputError ? error.details?.issues : undefined;
    const issue = (issues as readonly ValidationIssue[] | undefined)?.[0];
    if (issue === undefined) throw error;
    throw refuse(
      "E_INPUT",
      issue.path.join("."),
      issue.expected,
      issue.received,
      formatIssue(issue),
    );
  }
  checkTiming(ctx.rules, update);
  checkContinuity(ctx.rules, update, parsed.market?.mechanism ?? "");
  checkFuture(ctx.rules, update, action.from_interval, ctx.clock.now());
  return update;
}

/** Applies one signed `community.update` of the admin's (authenticated by admin.ts). */
export async function applyCommunityUpdate(
  ctx: UpdateContext,
  doc: SignedDocument,
  action: CommunityUpdateAction,
): Promise<{ created: boolean; answer: string }> {
  const nonceKey = `${doc.public_key}:${doc.nonce}`;
  const digest = sha256Hex(canonicalize(doc));
  // Checked against the clock, which moves on: the same bytes again get their first answer.
  const earlier = await ctx.store.earlierAnswer(nonceKey);
  if (earlier !== undefined && earlier.digest !== digest) throw nonceReused(doc.nonce);
  if (earlier !== undefined) return { created: false, answer: earlier.answer };
  const update = await planned(ctx, action, digest);
  const replaces = ctx.rules.updateFrom(update.fromMs) !== undefined;
  const from = formatInstant(update.fromMs);
  const answer = canonicalize({ update: { from_interval: from, ...update.parsed }, replaces });
  const outcome = await ctx.store.applyDocument(
    {
      nonceKey,
      digest,
      kind: action.action,
      receivedMs: ctx.wall(),
      answer,
      audit: { action: action.action, target: from, actor: doc.public_key },
      // Sealed into the ledger's next registry block, before any block of its intervals.
      ledger: { kind: "registry", intervalStartMs: null, document: canonicalize(doc) },
    },
    {
      kind: "schedule_update",
      update: { fromMs: update.fromMs, changes: update.changes, documentHash: digest },
    },
  );
  switch (outcome.kind) {
    case "applied":
      ctx.rules.add(update);
      return { created: true, answer };
    case "replayed":
      return { created: false, answer: outcome.answer };
    case "nonce_reused":
      throw nonceReused(doc.nonce);
    case "refused":
      throw new Error("unreachable: scheduling an update is never refused by the store");
  }
}
