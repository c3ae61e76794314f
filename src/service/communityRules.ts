/**
 * The market rules in force for each interval: the community file's, changed from later
 * intervals on by the operator's community updates (communityUpdate.ts). `rulesAt(start)` gives
 * one interval's mechanism and k (what its gate closure clears with), its grid prices and its
 * timing; `schedule` the timing of every interval, for intake, cancels, the feed and the API. An
 * update sets each field it names from its interval on, until a later update's interval sets it
 * again; the fields it leaves out stay as they were.
 *
 * The updates are read from the database at start (each is recorded there with its document),
 * and added here once their record has committed.
 */
import { kToPpm } from "../core/units.js";
import type { MarketDocument, TariffDocument } from "../formats/communityFile.js";
import { type RuleChanges, readChanges } from "../formats/communityUpdate.js";
import { findMechanism } from "../market/mechanisms.js";
import type { GridTariff, Mechanism } from "../market/types.js";
import type { CommunityStore, ScheduledUpdate } from "../store/communityStore.js";
import type { Schedule, Timing } from "./schedule.js";

/** The rules of the intervals of one stretch: how they clear, their prices, their timing. */
export interface RuleSet extends Timing {
  readonly mechanism: Mechanism;
  /** k in ppm; undefined for the mechanism's own (or a mechanism without k). */
  readonly kPpm: number | undefined;
  /** The grid's prices of the interval that starts at `startMs`. */
  readonly tariffAt: (startMs: number) => GridTariff;
  /** The market and tariff blocks as the community file writes them, where known. */
  readonly market?: MarketDocument;
  readonly tariff?: TariffDocument;
}

/** Prices a tariff block (the community's time zone and data sets); refuses one that cannot be priced. */
export type TariffResolver = (
  tariff: TariffDocument,
  at: readonly (string | number)[],
) => Promise<(startMs: number) => GridTariff>;

/** An update with its changes read and priced. */
export interface ResolvedUpdate extends ScheduledUpdate {
  readonly parsed: RuleChanges;
  readonly set: Partial<RuleSet>;
}

/** The mechanism and k of a market block, as gate closure clears with them. */
export function marketOf(market: MarketDocument): {
  mechanism: Mechanism;
  kPpm: number | undefined;
} {
  const mechanism = findMechanism(market.mechanism);
  if (mechanism === undefined) throw new Error(`unknown mechanism ${market.mechanism}`);
  const kPpm =
    mechanism.defaultKPpm === null || market.k === undefined ? undefined : kToPpm(market.k);
  return { mechanism, kPpm };
}

/** Reads and prices recorded changes. */
export async function resolveUpdate(
  update: ScheduledUpdate,
  resolveTariff: TariffResolver,
  parsed: RuleChanges = readChanges(update.changes),
): Promise<ResolvedUpdate> {
  const set: { -readonly [K in keyof RuleSet]?: RuleSet[K] } = {};
  if (parsed.market !== undefined)
    Object.assign(set, marketOf(parsed.market), { market: parsed.market });
  if (parsed.tariff !== undefined) {
    set.tariffAt = await resolveTariff(parsed.tariff, ["document", "tariff"]);
    set.tariff = parsed.tariff;
  }
  if (parsed.gate_closure_minutes !== undefined)
    set.gateClosureMinutes = parsed.gate_closure_minutes;
  if (parsed.open_hours !== undefined) set.openHours = parsed.open_hours;
  return { ...update, parsed, set };
}

export class CommunityRules {
  /** Ascending by `fromMs`, one per interval. */
  private updates: ResolvedUpdate[];
  private sets: { fromMs: number; rules: RuleSet }[] = [];
  private timing!: Schedule;

  constructor(
    private readonly intervalMinutes: number,
    private readonly base: RuleSet,
    updates: readonly ResolvedUpdate[] = [],
  ) {
    this.updates = [...updates].sort((a, b) => a.fromMs - b.fromMs);
    this.rebuild();
  }

  /** The base rules with the updates the database holds. */
  static async open(
    intervalMinutes: number,
    base: RuleSet,
    store: CommunityStore,
    resolveTariff: TariffResolver,
  ): Promise<CommunityRules> {
    const updates = await Promise.all(
      (await store.scheduledUpdates()).map((u) => resolveUpdate(u, resolveTariff)),
    );
    return new CommunityRules(intervalMinutes, base, updates);
  }

  private rebuild(): void {
    let rules = this.base;
    this.sets = this.updates.map((u) => {
      rules = { ...rules, ...u.set };
      return { fromMs: u.fromMs, rules };
    });
    this.timing = {
      intervalMinutes: this.intervalMinutes,
      gateClosureMinutes: this.base.gateClosureMinutes,
      openHours: this.base.openHours,
      changes: this.sets.map((s) => ({
        fromMs: s.fromMs,
        gateClosureMinutes: s.rules.gateClosureMinutes,
        openHours: s.rules.openHours,
      })),
    };
  }

  /** The rules of the interval starting at `startMs`. */
  rulesAt(startMs: number): RuleSet {
    let rules = this.base;
    for (const s of this.sets) {
      if (s.fromMs > startMs) break;
      rules = s.rules;
    }
    return rules;
  }

  /** Every interval's timing. */
  get schedule(): Schedule {
    return this.timing;
  }

  /** The updates recorded, by interval. */
  get scheduled(): readonly ResolvedUpdate[] {
    return this.updates;
  }

  /** The update recorded for the interval starting at `fromMs`, if any. */
  updateFrom(fromMs: number): ResolvedUpdate | undefined {
    return this.updates.find((u) => u.fromMs === fromMs);
  }

  /** These rules with `update` added (replacing any for its interval), leaving these as they are. */
  with(update: ResolvedUpdate): CommunityRules {
    return new CommunityRules(this.intervalMinutes, this.base, [
      ...this.updates.filter((u) => u.fromMs !== update.fromMs),
      update,
    ]);
  }

  /** Adds `update` (replacing any for its interval): once its record has committed. */
  add(update: ResolvedUpdate): void {
    this.updates = [...this.updates.filter((u) => u.fromMs !== update.fromMs), update].sort(
      (a, b) => a.fromMs - b.fromMs,
    );
    this.rebuild();
  }
}
