/**
 * Taking a signed order for an upcoming interval. Checks, in this order, each refusal with its
 * stable code: the envelope's shape (E_ORDER_INVALID, with the field), the delivery interval named
 * and aligned, the signature (E_SIGNATURE_INVALID), the key's registration (E_PARTICIPANT_UNKNOWN)
 * and standing (E_PARTICIPANT_SUSPENDED), the participant named as the key's, the key bound to it
 * for the order's interval (E_KEY_NOT_BOUND: rotated out, or not yet in force), the interval taking
 * orders at the market's time (E_INTERVAL_NOT_OPEN, E_GATE_CLOSED), expiry, then, in one
 * transaction with the order's record: the nonce (the same bytes again get the first answer,
 * other content under a used nonce is E_NONCE_REUSED), the id unused for the interval
 * (E_MARKET_DUPLICATE_ID) and one side per participant where the mechanism prices net positions
 * (E_MARKET_SIDE_CONFLICT), and with `cda` a replaced order without fills (E_CONFLICT: fills are
 * final). A refused order changes nothing.
 */
import { canonicalize } from "../core/canonicalJson.js";
import { sha256Hex } from "../core/ids.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { kwhToWh, toMicro } from "../core/units.js";
import {
  envelopeSchema,
  expiryProblem,
  nonceKey,
  orderSigningBytes,
  type SignedOrder,
} from "../ledger/envelope.js";
import { verifyMessage } from "../ledger/keys.js";
import type { Mechanism } from "../market/types.js";
import type { CommunityStore, NewOrder, OrderReceipt } from "../store/communityStore.js";
import { fillsAreFinal, type IntakeOutcome } from "./cdaIntake.js";
import type { MarketClock } from "./clock.js";
import { nonceReused, parseOrRefuse, refuse } from "./refusals.js";
import { gateClosesAt, isIntervalStart, opensAt, phaseAt, type Schedule } from "./schedule.js";
import { activeParticipant, requireBoundFor, requireSignature } from "./signers.js";

export interface IntakeContext {
  readonly store: CommunityStore;
  /**
   * Records one order with its nonce (through group commit: see groupCommit.ts) and, with
   * `cda`, matches it at once (cdaIntake.ts).
   */
  readonly record: (order: NewOrder) => Promise<IntakeOutcome>;
  readonly clock: MarketClock;
  readonly schedule: Schedule;
  /** The mechanism the interval starting at `startMs` clears with. */
  readonly mechanismAt: (startMs: number) => Mechanism;
  /** Wall time, for the record of when an order arrived. */
  readonly wall: () => number;
}

export interface Accepted {
  /** 201 for a new order, 200 for the same signed bytes posted again. */
  readonly created: boolean;
  readonly receipt: OrderReceipt;
}

/** The envelope's shape, or E_ORDER_INVALID naming the first bad field. */
export function parseEnvelope(raw: unknown): SignedOrder {
  return parseOrRefuse(envelopeSchema, raw, "E_ORDER_INVALID", "a signed order envelope");
}

/** The interval the order names: present, and the start of an interval. */
function intervalOf(e: SignedOrder, schedule: Schedule): number {
  const text = e.order.interval_start;
  if (text === undefined)
    throw refuse(
      "E_ORDER_INVALID",
      "order.interval_start",
      "the delivery interval's start, an ISO 8601 time",
      undefined,
      "order.interval_start: a live order names its delivery interval's start",
    );
  const start = parseInstant(text) as number;
  if (!isIntervalStart(schedule, start))
    throw refuse(
      "E_ORDER_INVALID",
      "order.interval_start",
      `the start of a ${schedule.intervalMinutes}-minute interval (aligned to UTC)`,
      text,
      `order.interval_start: ${text} is not the start of a ${schedule.intervalMinutes}-minute interval`,
    );
  return start;
}

/** Whether the interval takes orders at market time `now`. */
function checkOpen(schedule: Schedule, start: number, now: number): void {
  const phase = phaseAt(schedule, start, now);
  const at = formatInstant(start);
  if (phase === "scheduled")
    throw refuse(
      "E_INTERVAL_NOT_OPEN",
      "order.interval_start",
      `an interval open for orders now (this one opens at ${formatInstant(opensAt(schedule, start))})`,
      at,
      `the interval starting ${at} is not open for orders yet: it opens at ${formatInstant(opensAt(schedule, start))}`,
    );
  if (phase === "gate_closed")
    throw refuse(
      "E_GATE_CLOSED",
      "order.interval_start",
      `an interval whose gate is still ahead (this one closed at ${formatInstant(gateClosesAt(schedule, start))})`,
      at,
      `the gate of the interval starting ${at} closed at ${formatInstant(gateClosesAt(schedule, start))}`,
    );
}

/** Takes one signed order, its shape checked (see the module comment for the other checks). */
export async function submitOrder(ctx: IntakeContext, envelope: SignedOrder): Promise<Accepted> {
  const start = intervalOf(envelope, ctx.schedule);
  requireSignature(
    verifyMessage(envelope.public_key, orderSigningBytes(envelope), envelope.signature),
    envelope,
    "the order",
  );
  const participant = await activeParticipant(ctx.store, envelope.public_key, {
    field: "order.participant",
    expected: "an active participant",
    because: " and cannot place orders",
  });
  if (envelope.order.participant !== participant.id)
    throw refuse(
      "E_LEDGER_KEY_MISMATCH",
      "order.participant",
      participant.id,
      envelope.order.participant,
      `the key belongs to participant ${participant.id}, not ${envelope.order.participant}`,
    );
  requireBoundFor(participant, envelope.public_key, start, "orders");
  try {
    checkOpen(ctx.schedule, start, ctx.clock.now());
  } catch (refusal) {
    // The same bytes sent again after the gate are the order taken before it: its first answer.
    const earlier = await ctx.store.earlierAnswer(nonceKey(envelope));
    if (earlier?.digest === sha256Hex(canonicalize(envelope)))
      return { created: false, receipt: JSON.parse(earlier.answer) as OrderReceipt };
    throw refusal;
  }
  if (envelope.order.replaces === envelope.order.id)
    throw refuse(
      "E_ORDER_INVALID",
      "order.replaces",
      "the id of another of your open orders",
      envelope.order.replaces,
      "order.replaces: an order cannot replace itself",
    );
  const expired = expiryProblem(envelope, start);
  if (expired)
    throw refuse(expired.code, expired.field, expired.expected, expired.received, expired.message);
  const outcome = await ctx.record({
    intervalStartMs: start,
    participant: participant.id,
    orderId: envelope.order.id,
    receivedMs: ctx.wall(),
    side: envelope.order.side,
    energyWh: kwhToWh(envelope.order.energy_kwh),
    priceMicro: toMicro(envelope.order.price_per_kwh),
    envelope,
    nonceKey: nonceKey(envelope),
    digest: sha256Hex(canonicalize(envelope)),
    oneSidePerParticipant: !ctx.mechanismAt(start).allowsBothSides,
    replaces: envelope.order.replaces,
  });
  switch (outcome.kind) {
    case "recorded":
      return { created: true, receipt: outcome.receipt };
    case "replayed":
      return { created: false, receipt: outcome.receipt };
    case "nonce_reused":
      throw nonceReused(envelope.nonce);
    case "suspended":
      throw refuse(
        "E_PARTICIPANT_SUSPENDED",
        "order.participant",
        "an active participant",
        participant.id,
        `participant ${participant.id} is suspended and cannot place orders`,
      );
    case "key_not_bound":
      throw refuse(
        "E_KEY_NOT_BOUND",
        "public_key",
        `the key bound to ${participant.id} for the interval`,
        envelope.public_key,
        `participant ${participant.id}'s key changed while the order was being taken: sign it with its new key`,
      );
    case "duplicate_id":
      throw refuse(
        "E_MARKET_DUPLICATE_ID",
        "order.id",
        "an order id not yet used in this interval",
        envelope.order.id,
        `order id ${JSON.stringify(envelope.order.id)} is already used in the interval starting ${formatInstant(start)}`,
      );
    case "replace_missing":
      throw refuse(
        "E_NOT_FOUND",
        "order.replaces",
        "the id of one of your open orders for this interval",
        envelope.order.replaces,
        `you have no open order ${JSON.stringify(envelope.order.replaces)} for the interval starting ${formatInstant(start)} to replace`,
      );
    case "replace_filled":
      throw fillsAreFinal(
        "order.replaces",
        envelope.order.replaces as string,
        outcome.filledWh,
        "replaced",
      );
    case "side_conflict":
      throw refuse(
        "E_MARKET_SIDE_CONFLICT",
        "order.side",
        `"${outcome.openSide}" like this participant's open orders: ${ctx.mechanismAt(start).name} prices net positions, one side per participant per interval`,
        envelope.order.side,
        `${participant.id} already has a ${outcome.openSide} order open for this interval`,
      );
  }
}
