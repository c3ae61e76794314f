/**
 * The market clock across a crash, at the two points where the crash test found it wrong: an
 * advance whose document was committed when the process died (before the clock was saved), and
 * a gate closure that cleared an interval before the clock that closed it was saved. A platform
 * closed without its tick stands for the killed process: nothing after the commit ran.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { signAdminAction } from "../../src/app/liveRequests.js";
import { formatInstant } from "../../src/core/time.js";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import { signOrder } from "../../src/ledger/envelope.js";
import { MECHANISMS } from "../../src/market/mechanisms.js";
import { ManualClock } from "../../src/service/clock.js";
import { LiveCommunity } from "../../src/service/liveCommunity.js";
import { openPlatform, type Platform } from "../../src/service/platform.js";
import type { ClockState } from "../../src/store/communityStore.js";
import { LedgerWriter } from "../../src/store/ledgerStore.js";
import { SqlCommunityStore } from "../../src/store/sql/communityStore.js";
import { migrate } from "../../src/store/sql/migrations.js";
import { openPglite } from "../../src/store/sql/pglite.js";
import { fixedIdentity, HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import { registerMembers } from "../support/liveTwin.js";

const MIN = 60_000;
const ADMIN = fixedIdentity("admin");
const dir = mkdtempSync(join(tmpdir(), "gridshare-clock-recovery-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const [SELLER, BUYER] = HOMES as [(typeof HOMES)[0], (typeof HOMES)[0]];

function orderOf(who: typeof SELLER, id: string, side: "buy" | "sell", startMs: number) {
  return signOrder(
    {
      id,
      participant: who.participant,
      side,
      energy_kwh: 1,
      price_per_kwh: side === "sell" ? 0.08 : 0.28,
      timestamp: formatInstant(startMs - 30 * MIN),
      interval_start: formatInstant(startMs),
    },
    who,
    createHash("sha256").update(`clock recovery ${id}`).digest("hex").slice(0, 32),
    startMs + 60 * MIN,
  );
}

async function platformIn(data: string): Promise<Platform> {
  const doc = communityTemplate(
    { adminPublicKey: ADMIN.publicKey, blockSigningPublicKey: OPERATOR.publicKey, id: "fontana" },
    "test",
  );
  return openPlatform({
    config: await communityConfig(doc, "test"),
    dataDir: data,
    blockSigner: OPERATOR,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
  });
}

test("an advance committed before a crash: the clock resumes at it, its gates close at start, the same bytes get the same answer", async () => {
  const data = join(dir, "advance");
  const first = await platformIn(data);
  for (const who of [SELLER, BUYER]) {
    const add = { action: "participant.add", public_key: who.publicKey, name: who.participant };
    await first.community.admin(signAdminAction(add, ADMIN, Date.now()));
  }
  await first.community.submit(orderOf(SELLER, "s", "sell", T0));
  await first.community.submit(orderOf(BUYER, "b", "buy", T0));
  const advance = signAdminAction(
    { action: "clock.advance", to: formatInstant(T0) },
    ADMIN,
    Date.now(),
  );
  assert.equal((await first.community.admin(advance)).created, true);
  // Killed here: the advance is committed, its tick never ran.
  await first.close();

  const second = await platformIn(data);
  try {
    assert.equal(formatInstant(second.clock.now()), formatInstant(T0));
    assert.equal(
      (await second.community.store.intervalRecord(T0))?.blockHeight,
      2,
      "after the two registrations",
    );
    assert.equal(second.blocks.length, 3);
    const again = await second.community.admin(advance);
    assert.equal(again.created, false);
    assert.equal(formatInstant(second.clock.now()), formatInstant(T0));
  } finally {
    await second.close();
  }
});

/** A store that, once armed, dies (throws) when the clock is saved: a process killed there. */
class DiesSavingTheClock extends SqlCommunityStore {
  armed = false;
  override async saveClock(state: ClockState): Promise<void> {
    if (this.armed) throw new Error("killed");
    await super.saveClock(state);
  }
}

test("a gate closure never clears an interval before the clock past its gate is saved", async () => {
  const db = await openPglite();
  try {
    await migrate(db);
    const clock = new ManualClock(T0 - 60 * MIN);
    const options = {
      id: "fontana",
      document: JSON.stringify({ id: "fontana" }),
      schedule: { intervalMinutes: 15, gateClosureMinutes: 5, openHours: 24 },
      mechanism: MECHANISMS.uniform,
      kPpm: undefined,
      tariffAt: () => ({ importPriceMicro: 300_000, exportPriceMicro: 50_000, networkFeeMicro: 0 }),
      clock,
      blockSigner: OPERATOR,
      adminPublicKey: ADMIN.publicKey,
    };
    const store = new DiesSavingTheClock(db, "fontana");
    const writer = await LedgerWriter.open(join(dir, "gate-ledger"), { create: true });
    const dying = await LiveCommunity.open({ ...options, store, ledger: writer });
    await registerMembers(dying, ADMIN, [SELLER, BUYER]);
    await dying.submit(orderOf(SELLER, "s", "sell", T0));
    await dying.submit(orderOf(BUYER, "b", "buy", T0));
    clock.advanceTo(T0);
    store.armed = true;
    await assert.rejects(dying.tick(), /killed/);
    await writer.close();
    // What a restart would see: an interval cleared means the saved clock is past its gate,
    // else the restarted market would take orders for an interval already cleared.
    const healthy = new SqlCommunityStore(db, "fontana");
    const saved = (await healthy.loadClock())?.now ?? T0 - 60 * MIN;
    if ((await healthy.intervalRecord(T0)) !== undefined)
      assert.ok(
        saved >= T0 - 5 * MIN,
        `T0 cleared, but the clock saved is ${formatInstant(saved)}`,
      );
    const reopened = await LedgerWriter.open(join(dir, "gate-ledger"), { create: true });
    const live = await LiveCommunity.open({ ...options, store: healthy, ledger: reopened });
    await live.tick();
    assert.equal((await healthy.intervalRecord(T0))?.blockHeight, 2, "after the two registrations");
    await reopened.close();
  } finally {
    await db.close();
  }
});
