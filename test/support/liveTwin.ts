/**
 * The live platform and its offline twin. `registerMembers` registers members the way the
 * platform takes them (one signed `participant.add` document each, by the admin key), and
 * `OfflineTwin` seals what the platform's format-2 ledger should hold from the same signed
 * documents through the offline pipeline: one registry block per registration or community
 * update, then each interval's clearing block with its orders in receive order and its cancels.
 * `openTestCommunity` opens the community the service suites run: "fontana", on a manual clock.
 */
import { signAdminAction } from "../../src/app/liveRequests.js";
import type { OrderItem } from "../../src/ledger/block.js";
import { clearInterval } from "../../src/ledger/clearInterval.js";
import {
  ledgerUpdateSchema,
  sealRegistryBlock,
  UpdateSchedule,
} from "../../src/ledger/communityUpdates.js";
import type { SignedOrder } from "../../src/ledger/envelope.js";
import type { Identity } from "../../src/ledger/keys.js";
import { Registry, registryActionSchema } from "../../src/ledger/registry.js";
import type { SignedDocument } from "../../src/ledger/signedDocument.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import type { GridTariff, Mechanism } from "../../src/market/types.js";
import type { ManualClock } from "../../src/service/clock.js";
import { LiveCommunity, type LiveCommunityOptions } from "../../src/service/liveCommunity.js";
import { LedgerWriter } from "../../src/store/ledgerStore.js";
import { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import type { SqlDatabase } from "../../src/store/sql/database.js";
import { MemoryLedger, OPERATOR } from "./ledgerFixtures.js";

/** The suites' community: quarter-hours, gate 5 minutes ahead, open a day ahead. */
export const TEST_SCHEDULE = { intervalMinutes: 15, gateClosureMinutes: 5, openHours: 24 };
export const TEST_TARIFF: GridTariff = {
  importPriceMicro: 300_000,
  exportPriceMicro: 50_000,
  networkFeeMicro: 10_000,
};

export interface TestCommunity {
  readonly community: LiveCommunity;
  readonly store: SqlCommunityStore;
  readonly writer: LedgerWriter;
}

/**
 * Opens the community "fontana" on `db`, its ledger in `ledgerDir`, on `clock`: uniform prices,
 * {@link TEST_SCHEDULE} and {@link TEST_TARIFF}, OPERATOR's keys, unless `options` say otherwise
 * (a `store` given is used as it is). The ledger is closed again when opening fails.
 */
export async function openTestCommunity(
  db: SqlDatabase,
  ledgerDir: string,
  clock: ManualClock,
  options: Partial<LiveCommunityOptions> & { readonly store?: SqlCommunityStore } = {},
): Promise<TestCommunity> {
  const store = options.store ?? new SqlCommunityStore(db, "fontana");
  const writer = await LedgerWriter.open(ledgerDir, { create: true });
  try {
    const community = await LiveCommunity.open({
      id: "fontana",
      document: JSON.stringify({ id: "fontana" }),
      schedule: TEST_SCHEDULE,
      mechanism: MECHANISMS.uniform,
      kPpm: undefined,
      tariffAt: () => TEST_TARIFF,
      clock,
      blockSigner: OPERATOR,
      adminPublicKey: OPERATOR.publicKey,
      ...options,
      store,
      ledger: writer,
    });
    return { community, store, writer };
  } catch (error) {
    await writer.close();
    throw error;
  }
}

/** A signed operator document of `action`, by `admin`, with a fresh nonce. */
export function adminDocument(
  admin: Identity,
  action: Record<string, unknown> & { readonly action: string },
): SignedDocument {
  return signAdminAction(action, admin, Date.now());
}

/** Registers each member through the community; returns the documents, in order. */
export async function registerMembers(
  community: LiveCommunity,
  admin: Identity,
  members: readonly Pick<Identity, "publicKey">[],
): Promise<SignedDocument[]> {
  const docs: SignedDocument[] = [];
  for (const [i, who] of members.entries()) {
    const doc = adminDocument(admin, {
      action: "participant.add",
      public_key: who.publicKey,
      name: `Building_${i + 1}`,
      meter_id: `m-${i + 1}`,
    });
    const outcome = await community.admin(doc);
    if (!outcome.created) throw new Error(`member ${i + 1} was registered already`);
    docs.push(doc);
  }
  return docs;
}

/** The market an interval clears under: its mechanism, k (ppm; the mechanism's own if omitted) and tariff. */
export interface TwinMarket {
  readonly mechanism: Mechanism;
  readonly kPpm?: number;
  readonly tariff: GridTariff;
}

export class OfflineTwin {
  readonly ledger = new MemoryLedger();
  private readonly registry = new Registry();
  private readonly updates = new UpdateSchedule();

  constructor(
    private readonly operator: Identity,
    private readonly admin: string,
    private readonly market: TwinMarket & { readonly minutes: number },
  ) {}

  /** One registry block per document, as the platform seals each registration it answers. */
  register(docs: readonly SignedDocument[]): void {
    for (const document of docs) {
      const action = registryActionSchema.parse(document.document);
      const effect = this.registry.effectOf(action, document.public_key);
      if ("problem" in effect) throw new Error(effect.problem);
      this.registry.apply(effect);
      const sealed = sealRegistryBlock(
        this.ledger.state,
        this.admin,
        [{ document, effect }],
        this.operator,
      );
      this.ledger.append(sealed, [`${document.public_key}:${document.nonce}`]);
    }
  }

  /** One registry block per community update, as the platform seals each it answers. */
  update(docs: readonly SignedDocument[]): void {
    for (const document of docs) {
      const update = ledgerUpdateSchema.parse(document.document);
      const effect = this.updates.effectOf(update, this.ledger.state.lastIntervalEndMs);
      if ("problem" in effect) throw new Error(effect.problem);
      this.updates.apply(update);
      const sealed = sealRegistryBlock(
        this.ledger.state,
        this.admin,
        [{ document, update: effect }],
        this.operator,
      );
      this.ledger.append(sealed, [`${document.public_key}:${document.nonce}`]);
    }
  }

  /**
   * The interval's clearing block: `orders` with their received_seq, then `cancels`, under the
   * twin's market unless `market` says otherwise (the rules an update put in force).
   */
  clear(
    startMs: number,
    orders: readonly { envelope: SignedOrder; receivedSeq: number }[],
    cancels: readonly SignedDocument[] = [],
    market: TwinMarket = this.market,
  ): void {
    const items = [...orders]
      .sort((a, b) => a.receivedSeq - b.receivedSeq)
      .map(
        (o): OrderItem => ({ kind: "signed", envelope: o.envelope, receivedSeq: o.receivedSeq }),
      );
    const outcome = clearInterval({
      interval: { startMs, minutes: this.market.minutes },
      tariff: market.tariff,
      mechanism: market.mechanism,
      ...(market.kPpm === undefined ? {} : { kPpm: market.kPpm }),
      items,
      requireSignatures: true,
      format2: { cancels },
      boundKey: (p) => this.registry.keyFor(p, startMs),
      ledger: { store: this.ledger, operator: this.operator },
    });
    if (outcome.status !== "cleared") throw new Error("the offline twin refused the interval");
  }

  get payloads(): readonly string[] {
    return this.ledger.payloads;
  }
}
