/**
 * Format 2's community updates: the operator's signed `community.update` documents (context
 * `gridshare/admin/v1`, by the admin key), each recorded in a registry block as an `update`
 * entry with its effect, before any clearing block of an interval it governs:
 *
 *   { "document": { "document": { "action": "community.update", "from_interval": "…", … }, … },
 *     "effect": { "from_interval": "<the interval's start>", "replaces": false },
 *     "height": h, "type": "update" }
 *
 * An update sets each field it names (`market`, `tariff`, `gate_closure_minutes`, `open_hours`,
 * in the community file's forms) for every interval from `from_interval` on, until a later
 * update's interval sets it again; a later document for the same interval replaces the earlier
 * one whole (`replaces: true`). Replaying the update entries gives, for any interval, the market
 * rules the updates recorded before it put in force, which its clearing block's head must record.
 *
 * The platform validates an update against the community file's own schemas; what this module
 * reads of one is what a block head records (the mechanism, k and the grid's prices). Pure.
 */
import { z } from "zod";
import { canonicalize } from "../core/canonicalJson.js";
import { formatInstant, parseInstant } from "../core/time.js";
import { fromMicro, kToPpm, toMicro } from "../core/units.js";
import { findMechanism } from "../market/mechanisms.js";
import { instantSchema } from "../market/orderDocument.js";
import {
  type ChainState,
  LEDGER_FORMAT_2,
  type MarketRules,
  marketRules,
  type SealedBlock,
  sealHead,
} from "./block.js";
import { registryEntry } from "./entries.js";
import type { Identity } from "./keys.js";
import type { RegistryItem } from "./registry.js";
import type { SignedDocument } from "./signedDocument.js";

export const UPDATE_ACTION = "community.update";

const price = z.number().positive();
const importPrice = z.union([
  z.object({ price_per_kwh: price }),
  z.object({ flat: price }),
  z.object({ time_of_use: z.array(z.object({ price })).min(1) }),
  z.object({ dataset: z.string() }),
]);

/** An update as the ledger reads it: its interval and the parts of each field a head records. */
export const ledgerUpdateSchema = z.looseObject({
  action: z.literal(UPDATE_ACTION),
  from_interval: instantSchema,
  market: z
    .looseObject({
      mechanism: z.string().default("uniform"),
      k: z.number().min(0).max(1).optional(),
    })
    .optional(),
  tariff: z
    .looseObject({
      import: importPrice,
      export_price_per_kwh: z.number().nonnegative(),
      network_fee_per_kwh: z.number().nonnegative().default(0),
    })
    .optional(),
  gate_closure_minutes: z.number().int().nonnegative().optional(),
  open_hours: z.number().int().positive().optional(),
});

export type LedgerUpdate = z.output<typeof ledgerUpdateSchema>;

/** What an update did: the interval it is in force from, and whether it replaced another's. */
export interface UpdateEffect {
  readonly from_interval: string;
  readonly replaces: boolean;
}

/** An update entry of a registry block (rare: canonicalized). */
export function updateEntry(height: number, doc: SignedDocument, effect: UpdateEffect): string {
  return canonicalize({ document: doc, effect, height, type: "update" });
}

/** One update document with its effect, for a registry block. */
export interface UpdateItem {
  readonly document: SignedDocument;
  readonly update: UpdateEffect;
}

export type RegistryBlockItem = RegistryItem | UpdateItem;

/**
 * Seals the next block as a format-2 `registry` block of registrations, key documents and
 * updates, in the order given (the order the platform recorded them), all signed by `admin`. The
 * block has no interval: the chain's last interval stays the one before. With `next`, the head
 * hands the signing of blocks over to that key (a block with no documents may do only that).
 */
export function sealRegistryBlock(
  state: ChainState,
  admin: string,
  items: readonly RegistryBlockItem[],
  operator: Identity,
  next?: Identity,
): SealedBlock {
  if (items.length === 0 && next === undefined)
    throw new Error("a registry block records at least one document, or hands over");
  const height = state.height + 1;
  const entries = items.map((i) =>
    "update" in i
      ? updateEntry(height, i.document, i.update)
      : registryEntry(height, i.document, i.effect),
  );
  const fields = { admin, format: LEDGER_FORMAT_2, kind: "registry" };
  return sealHead(state, fields, entries, operator, 0, state.lastIntervalEndMs, next);
}

/** The market rules an update sets, as a head records them (the grid's import price aside). */
function marketOf(update: LedgerUpdate): Pick<MarketRules, "mechanism" | "params"> | string {
  const m = update.market;
  if (m === undefined) return "no market";
  const mechanism = findMechanism(m.mechanism);
  if (mechanism === undefined) return `unknown mechanism "${m.mechanism}"`;
  const kPpm =
    mechanism.defaultKPpm === null ? null : m.k === undefined ? mechanism.defaultKPpm : kToPpm(m.k);
  const { mechanism: name, params } = marketRules(mechanism, kPpm, {
    importPriceMicro: 0,
    exportPriceMicro: 0,
    networkFeeMicro: 0,
  });
  return { mechanism: name, params };
}

const asPrice = (value: number) => fromMicro(toMicro(value));

/** The import prices a tariff's import form can give (undefined: any, read from a data set). */
function importPrices(tariff: NonNullable<LedgerUpdate["tariff"]>): number[] | undefined {
  const p = tariff.import;
  if ("price_per_kwh" in p) return [asPrice(p.price_per_kwh)];
  if ("flat" in p) return [asPrice(p.flat)];
  if ("time_of_use" in p) return p.time_of_use.map((q) => asPrice(q.price));
  return undefined;
}

/** The updates recorded so far, by the interval each is in force from. */
export class UpdateSchedule {
  private readonly byFrom = new Map<number, LedgerUpdate>();
  /** The interval length, once a clearing block has shown it. */
  private intervalMinutes: number | undefined;

  get size(): number {
    return this.byFrom.size;
  }

  /**
   * The effect `update` has now, in a chain whose last clearing block's interval ends at
   * `chainEndMs`; a problem (text) when its interval is not after every interval already
   * cleared, or not the start of an interval.
   */
  effectOf(update: LedgerUpdate, chainEndMs: number): UpdateEffect | { problem: string } {
    const fromMs = parseInstant(update.from_interval) as number;
    if (fromMs < chainEndMs)
      return {
        problem: `it takes effect from ${formatInstant(fromMs)}, before the end of the last interval cleared (${formatInstant(chainEndMs)}): a cleared interval cannot change rules`,
      };
    const minutes = this.intervalMinutes;
    if (minutes !== undefined && fromMs % (minutes * 60_000) !== 0)
      return {
        problem: `${update.from_interval} is not the start of a ${minutes}-minute interval`,
      };
    const market = update.market === undefined ? undefined : marketOf(update);
    if (typeof market === "string") return { problem: market };
    return { from_interval: formatInstant(fromMs), replaces: this.byFrom.has(fromMs) };
  }

  apply(update: LedgerUpdate): void {
    this.byFrom.set(parseInstant(update.from_interval) as number, update);
  }

  /** Each field's value in force for the interval starting at `startMs`, with its update's interval. */
  private inForce(startMs: number) {
    let market: { fromMs: number; update: LedgerUpdate } | undefined;
    let tariff: { fromMs: number; update: LedgerUpdate } | undefined;
    for (const [fromMs, update] of [...this.byFrom].sort((a, b) => a[0] - b[0])) {
      if (fromMs > startMs) break;
      if (update.market !== undefined) market = { fromMs, update };
      if (update.tariff !== undefined) tariff = { fromMs, update };
    }
    return { market, tariff };
  }

  /**
   * A problem (text) when the rules of a clearing block for the interval starting at `startMs`
   * (its head's) differ from those the updates recorded so far put in force for it. Only what
   * an update set is checked: a field no update in force set is the community file's, which the
   * ledger does not hold; and an import price read from a data set is not checked.
   */
  rulesProblem(startMs: number, minutes: number, rules: MarketRules): string | undefined {
    this.intervalMinutes = minutes;
    const { market, tariff } = this.inForce(startMs);
    const since = (from: number) => `the update in force since ${formatInstant(from)}`;
    if (market !== undefined) {
      const want = marketOf(market.update);
      const got = { mechanism: rules.mechanism, params: rules.params };
      if (typeof want === "string" || canonicalize(want) !== canonicalize(got))
        return `cleared under ${canonicalize(got)}, but ${since(market.fromMs)} sets ${typeof want === "string" ? want : canonicalize(want)}`;
    }
    if (tariff !== undefined) {
      const t = tariff.update.tariff as NonNullable<LedgerUpdate["tariff"]>;
      const g = rules.grid;
      const prices = importPrices(t);
      const wrong =
        g.export_price_per_kwh !== asPrice(t.export_price_per_kwh)
          ? `an export price of ${g.export_price_per_kwh}, not ${asPrice(t.export_price_per_kwh)}`
          : g.network_fee_per_kwh !== asPrice(t.network_fee_per_kwh)
            ? `a network fee of ${g.network_fee_per_kwh}, not ${asPrice(t.network_fee_per_kwh)}`
            : prices !== undefined && !prices.includes(g.import_price_per_kwh)
              ? `an import price of ${g.import_price_per_kwh}, not ${prices.length === 1 ? prices[0] : `one of ${prices.join(", ")}`}`
              : undefined;
      if (wrong !== undefined) return `cleared with ${wrong}, as ${since(tariff.fromMs)} sets`;
    }
    return undefined;
  }
}
