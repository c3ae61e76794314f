/**
 * The live platform of one community, assembled: its database (PGlite in the data directory, or
 * PostgreSQL), its ledger log (always in the data directory: the truth for blocks), its market
 * clock, and the community that takes orders and closes gates. The server and the tests open it
 * the same way; nothing here speaks HTTP.
 */
import { join } from "node:path";
import { canonicalize } from "../core/canonicalJson.js";
import { InputError } from "../core/errors.js";
import { type CommunityConfig, tariffLookup } from "../formats/communityFile.js";
import type { Identity } from "../ledger/keys.js";
import { BlockLog, type BlockSource } from "../store/blockLog.js";
import type { ClockState } from "../store/communityStore.js";
import { type DataDirLock, lockDataDir } from "../store/dataDirLock.js";
import { type HeadPointer, type LedgerIo, LedgerWriter, scanLedger } from "../store/ledgerStore.js";
import { SqlCommunityStore } from "../store/sql/communityStore.js";
import type { SqlDatabase } from "../store/sql/database.js";
import { openDatabase } from "../store/sql/open.js";
import { ManualClock, type MarketClock, realClock, virtualClock } from "./clock.js";
import { CommunityRules, type RuleSet, type TariffResolver } from "./communityRules.js";
import { Feed } from "./feed.js";
import type { ClosedInterval } from "./gateClosure.js";
import { unhealthy, watchStorage } from "./health.js";
import { LiveCommunity } from "./liveCommunity.js";
import { MarketFeed } from "./marketFeed.js";
import type { Schedule } from "./schedule.js";

/** How the market's clock runs. */
export type ClockSpec =
  | { readonly kind: "real" }
  | { readonly kind: "virtual"; readonly startMs: number | undefined; readonly speed: number }
  | { readonly kind: "manual"; readonly startMs: number | undefined };

export interface PlatformOptions {
  readonly config: CommunityConfig;
  readonly dataDir: string;
  /** A PostgreSQL URL; the embedded database in the data directory when undefined. */
  readonly databaseUrl?: string | undefined;
  /** The key that signs blocks: the community file's block-signing key. */
  readonly blockSigner: Identity;
  /** The key that signed them until now, to hand over from (handover.ts). */
  readonly previousBlockSigner?: Identity | undefined;
  readonly clock: ClockSpec;
  readonly wall?: () => number;
  readonly onCleared?: (closed: ClosedInterval) => void;
  /** How the ledger log is written (node:fs); a test injects a failing one. */
  readonly ledgerIo?: LedgerIo;
  /** Told when the feed cannot record its sequence numbers (it retries). */
  readonly onFeedError?: (error: unknown) => void;
}

export interface Platform {
  readonly config: CommunityConfig;
  readonly community: LiveCommunity;
  readonly feed: MarketFeed;
  readonly clock: MarketClock;
  readonly db: SqlDatabase;
  readonly ledgerDir: string;
  /** Every block of the ledger as canonical JSON, height 0 first. */
  /** The ledger's acknowledged blocks, read from the log by height. */
  readonly blocks: BlockSource;
  /** The ledger's published head pointer: what the log holds acknowledged. */
  ledgerPointer(): HeadPointer;
  /** How the clock started: resumed from the database, or new. */
  readonly clockResumed: boolean;
  /**
   * Clears every interval whose gate has closed (the community's tick), timing each closure for
   * the listeners of `onCleared`. The server ticks through here.
   */
  tick(): Promise<ClosedInterval[]>;
  /** Tells `listener` of each interval cleared and how long its closure took (wall ms). */
  onCleared(listener: ClearedListener): void;
  /**
   * Why the platform takes no more writes: the ledger log or the database failed to keep one
   * (health.ts). Undefined while it is sound.
   */
  failure(): string | undefined;
  close(): Promise<void>;
}

export type ClearedListener = (closed: ClosedInterval, durationMs: number) => void;

/** The clock as the spec asks, resumed from what was persisted for a virtual or manual one. */
function clockOf(
  spec: ClockSpec,
  saved: ClockState | undefined,
  wall: () => number,
): { clock: MarketClock; resumed: boolean } {
  if (spec.kind === "real") return { clock: realClock(wall), resumed: false };
  const from = saved?.now ?? spec.startMs ?? wall();
  if (spec.kind === "manual") return { clock: new ManualClock(from), resumed: saved !== undefined };
  return { clock: virtualClock(from, spec.speed, wall), resumed: saved !== undefined };
}

export function scheduleOf(config: CommunityConfig): Schedule {
  return {
    intervalMinutes: config.intervalMinutes,
    gateClosureMinutes: config.gateClosureMs / 60_000,
    openHours: config.openMs / 3_600_000,
  };
}

/** The community file's rules: the base the community updates change. */
function baseRules(config: CommunityConfig): RuleSet {
  return {
    gateClosureMinutes: config.gateClosureMs / 60_000,
    openHours: config.openMs / 3_600_000,
    mechanism: config.mechanism,
    kPpm: config.kPpm ?? undefined,
    tariffAt: (ms) => ({
      importPriceMicro: config.importPriceMicroAt(ms),
      exportPriceMicro: config.exportPriceMicro,
      networkFeeMicro: config.networkFeeMicro,
    }),
    market: config.document.market,
    tariff: config.document.tariff,
  };
}

export async function openPlatform(options: PlatformOptions): Promise<Platform> {
  const { config } = options;
  const wall = options.wall ?? Date.now;
  if (options.blockSigner.publicKey !== config.blockSigningPublicKey)
    throw new InputError(
      "E_KEY_INVALID",
      `the block-signing key given is ${options.blockSigner.publicKey}, but the community file names ${config.blockSigningPublicKey} (operator.block_signing_public_key)`,
    );
  // With PostgreSQL the data directory still holds the ledger log: one server per directory.
  const lock: DataDirLock | undefined =
    options.databaseUrl === undefined ? undefined : await lockDataDir(options.dataDir);
  let db: SqlDatabase | undefined;
  let writer: LedgerWriter | undefined;
  let dbFault: string | undefined;
  let releaseWriter: (() => Promise<void>) | undefined;
  try {
    db = watchStorage(
      (await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir })).db,
      (error) => {
        dbFault ??= `the database failed to write (${(error as Error).message})`;
      },
    );
    releaseWriter = await db.holdWriter(config.id);
    const store = new SqlCommunityStore(db, config.id);
    const { clock, resumed } = clockOf(options.clock, await store.loadClock(), wall);
    const ledgerDir = join(options.dataDir, "ledger", config.id);
    writer = await LedgerWriter.open(ledgerDir, {
      create: true,
      ...(options.ledgerIo === undefined ? {} : { io: options.ledgerIo }),
    });
    const blocks = new BlockLog(ledgerDir, (await scanLedger(ledgerDir)).acknowledged);
    const listeners: ClearedListener[] = [];
    // When the closure under way began (or the previous one in the same tick ended).
    let since = performance.now();
    let ticking = 0;
    const base = baseRules(config);
    const resolveTariff: TariffResolver = (tariff, at) =>
      tariffLookup(tariff, config.timeZone, "the community update", at);
    // The rules per interval, the updates the database holds included: the feed and the
    // community read the same.
    const rules = await CommunityRules.open(config.intervalMinutes, base, store, resolveTariff);
    const feed = new MarketFeed(
      await Feed.open(store, options.onFeedError ?? (() => undefined)),
      () => rules.schedule,
      config.bookVisibility,
    );
    await feed.load(store, clock.now());
    const community = await LiveCommunity.open({
      id: config.id,
      document: canonicalize(config.document),
      schedule: scheduleOf(config),
      mechanism: base.mechanism,
      kPpm: base.kPpm,
      tariffAt: base.tariffAt,
      rules,
      resolveTariff,
      clock,
      store,
      ledger: writer,
      blockSigner: options.blockSigner,
      previousBlockSigner: options.previousBlockSigner,
      adminPublicKey: config.adminPublicKey,
      feed,
      wall,
      onBlock: (block) => {
        blocks.appended(block.payload);
        feed.block(block);
      },
      onCleared: (closed) => {
        const took = performance.now() - since;
        since = performance.now();
        for (const listener of listeners) listener(closed, took);
        options.onCleared?.(closed);
      },
    });
    const openedDb = db;
    const openedWriter = writer;
    const failure = () => {
      const log = openedWriter.failure;
      return dbFault ?? (log && `the ledger log failed to write (${log.message})`);
    };
    return {
      config,
      community,
      feed,
      clock,
      db,
      ledgerDir,
      blocks,
      ledgerPointer: () => openedWriter.head,
      clockResumed: resumed,
      async tick() {
        const before = failure();
        if (before !== undefined) throw unhealthy(before);
        // Ticks run one after another: only one that starts idle starts the stopwatch.
        if (ticking++ === 0) since = performance.now();
        try {
          return await community.tick();
        } catch (error) {
          const now = failure();
          throw now === undefined ? error : unhealthy(now, error);
        } finally {
          ticking--;
        }
      },
      failure,
      onCleared(listener) {
        listeners.push(listener);
      },
      async close() {
        await feed.feed.close();
        await openedWriter.close();
        blocks.close();
        await releaseWriter?.().catch(() => undefined);
        await openedDb.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await writer?.close().catch(() => undefined);
    await releaseWriter?.().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await lock?.release();
    throw error;
  }
}
