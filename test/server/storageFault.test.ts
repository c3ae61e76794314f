/**
 * A disk that fails under the ledger log, against a real server on 127.0.0.1: the log's write
 * is made to fail with ENOSPC (an injected writer: as root, a read-only directory would not stop
 * the writes). The gate closure is refused with 503, the platform remembers it is unhealthy
 * (`/readyz` false, every write refused with 503 E_UNAVAILABLE, even once the disk has room
 * again), HEAD is never published past what the log holds, and a restart on a sound disk
 * clears the interval from the orders that were acknowledged. A database error that is no
 * storage fault, met after the block is durable, leaves the interval to the next tick, which
 * marks it from that block rather than clearing it again.
 */
import assert from "node:assert/strict";
import { fsyncSync, rmSync, writeSync } from "node:fs";
import { test } from "node:test";
import { GridshareError } from "../../src/core/errors.js";
import { formatInstant } from "../../src/core/time.js";
import { communityConfig, communityTemplate } from "../../src/formats/communityFile.js";
import type { Identity } from "../../src/ledger/keys.js";
import type { ManualClock } from "../../src/service/clock.js";
import { isStorageFault } from "../../src/service/health.js";
import { openPlatform } from "../../src/service/platform.js";
import { type LedgerIo, scanLedger } from "../../src/store/ledgerStore.js";
import { HOMES, OPERATOR, T0 } from "../support/ledgerFixtures.js";
import {
  ADMIN,
  admin,
  idOf,
  isProblem,
  MIN,
  order,
  register,
  startLive,
} from "../support/liveServer.js";

const [A, B] = HOMES as [Identity, Identity];

function diskThatFills(): { io: LedgerIo; full: { now: boolean } } {
  const full = { now: false };
  return {
    full,
    io: {
      write(fd, data, offset, length, position) {
        if (full.now)
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
            code: "ENOSPC",
            errno: -28,
            syscall: "write",
          });
        return writeSync(fd, data, offset, length, position);
      },
      fsync: (fd) => fsyncSync(fd),
    },
  };
}

test("storage fault: a ledger write that fails stops intake and readiness, and nothing is acknowledged past it", async () => {
  const disk = diskThatFills();
  const live = await startLive("fault", {}, { ledgerIo: disk.io });
  try {
    await register(live, [A, B]);
    assert.equal(
      (await live.call("POST", "/v1/orders", { body: order(A, "s", "sell") })).status,
      201,
    );
    assert.equal(
      (await live.call("POST", "/v1/orders", { body: order(B, "b", "buy") })).status,
      201,
    );
    disk.full.now = true;

    const moved = await live.call("POST", "/v1/clock/advance", {
      body: admin({ action: "clock.advance", to: formatInstant(T0) }),
    });
    isProblem(moved, 503, "E_UNAVAILABLE");
    assert.match(moved.json.detail, /the ledger log failed to write \(ENOSPC: no space left/);
    const ready = await live.call("GET", "/readyz");
    isProblem(ready, 503, "E_UNAVAILABLE");
    assert.match(ready.json.detail, /ENOSPC/);
    // The disk has room again; the platform still remembers it lost what it had sequenced.
    disk.full.now = false;
    const refused = await live.call("POST", "/v1/orders", { body: order(A, "s2", "sell") });
    isProblem(refused, 503, "E_UNAVAILABLE");
    assert.equal(refused.headers.get("retry-after"), "60");
    isProblem(
      await live.call("POST", "/v1/participants", {
        body: admin({ action: "participant.add", public_key: ADMIN.publicKey, name: "x" }),
      }),
      503,
      "E_UNAVAILABLE",
    );
    assert.equal((await live.call("GET", "/v1/clock")).status, 200);
    // The two registrations' registry blocks, and nothing after them.
    assert.equal((await live.call("GET", "/v1/ledger/head")).json.height, 1);
    assert.equal(
      (await live.call("GET", `/v1/intervals/${formatInstant(T0)}`)).json.status,
      "gate_closed",
    );
    await assert.rejects(live.platform.tick(), /takes no writes until it is restarted/);
  } finally {
    await live.app.close();
    await live.platform.close();
  }
  // Closing published nothing past the log: HEAD still names the registrations' last block.
  const scan = await scanLedger(live.platform.ledgerDir);
  assert.equal(scan.pointer.height, 1);
  assert.equal(scan.acknowledged.length, 2);

  // Restarted on a sound disk, the interval is cleared from the acknowledged orders.
  const config = await communityConfig(
    communityTemplate(
      { adminPublicKey: ADMIN.publicKey, blockSigningPublicKey: OPERATOR.publicKey, id: "fault" },
      "test",
    ),
    "test",
  );
  const again = await openPlatform({
    config,
    dataDir: live.dir,
    blockSigner: OPERATOR,
    clock: { kind: "manual", startMs: T0 - 60 * MIN },
  });
  try {
    assert.equal(again.failure(), undefined);
    // The clock was saved past the gate before the failed closure, so the gate closes at start.
    (again.clock as ManualClock).advanceTo(T0);
    await again.tick();
    assert.equal((await again.community.store.intervalRecord(T0))?.blockHeight, 2);
    const block = JSON.parse(again.blocks.at(2) as string);
    assert.equal(block.entries.filter((e: { type: string }) => e.type === "order").length, 2);
    assert.equal((await again.community.store.ordersOf(idOf(A), { limit: 5 })).length, 1);
  } finally {
    await again.close();
    rmSync(live.dir, { recursive: true, force: true });
  }
});

test("store error: a gate closure that fails after the advance is retried by the next tick, one block", async () => {
  const live = await startLive("store-error");
  try {
    await register(live, [A, B]);
    for (const [who, id, side] of [
      [A, "s", "sell"],
      [B, "b", "buy"],
    ] as const)
      assert.equal(
        (await live.call("POST", "/v1/orders", { body: order(who, id, side) })).status,
        201,
      );
    // The database refuses to mark the interval once (not a storage fault: a dropped connection),
    // after its block is durable in the log.
    const store = live.platform.community.store;
    const markCleared = store.markCleared.bind(store);
    let failures = 1;
    store.markCleared = async (cleared) => {
      if (cleared.intervalStartMs === T0 && failures-- > 0)
        throw new Error("connection terminated unexpectedly");
      return markCleared(cleared);
    };
    const advance = admin({ action: "clock.advance", to: formatInstant(T0) });
    const failed = await live.call("POST", "/v1/clock/advance", { body: advance });
    assert.equal(failed.status, 500, failed.text);
    // The clock moved and was saved; the platform is still healthy.
    assert.equal((await live.call("GET", "/v1/clock")).json.now, formatInstant(T0));
    assert.equal((await store.loadClock())?.now, T0);
    assert.equal(live.platform.failure(), undefined);
    // The same document again ticks again: the interval is cleared from the block already
    // written, not cleared into a second one.
    const retried = await live.call("POST", "/v1/clock/advance", { body: advance });
    assert.equal(retried.status, 200, retried.text);
    // Heights 0 and 1 are the two registrations.
    assert.deepEqual(retried.json.cleared, [
      { interval_start: formatInstant(T0), block_height: 2, orders: 2 },
    ]);
    assert.equal((await store.intervalRecord(T0))?.blockHeight, 2);
    assert.equal((await live.call("GET", "/v1/ledger/head")).json.height, 2);
    assert.equal(live.platform.blocks.length, 3);
    assert.equal((await live.call("GET", "/v1/ledger/blocks/2")).status, 200);
    const [mine] = await store.ordersOf(idOf(A), { limit: 5 });
    assert.equal(mine?.status, "filled");
    assert.equal((await scanLedger(live.platform.ledgerDir)).acknowledged.length, 3);
    assert.deepEqual(await live.platform.tick(), []);
  } finally {
    await live.close();
  }
});

test("storage fault: which errors mean the storage cannot keep writes", () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  assert.ok(isStorageFault(errno("ENOSPC")));
  assert.ok(isStorageFault(errno("EIO")));
  assert.ok(isStorageFault(errno("EROFS")));
  const disk = new GridshareError("E_STORE_UNAVAILABLE", "insert into orders: could not extend", {
    details: { sqlstate: "53100" },
  });
  assert.ok(isStorageFault(disk));
  assert.ok(isStorageFault(new GridshareError("E_UNAVAILABLE", "x", { cause: errno("EIO") })));
  assert.ok(!isStorageFault(errno("ECONNREFUSED")));
  assert.ok(
    !isStorageFault(
      new GridshareError("E_STORE_CONFLICT", "dup", { details: { sqlstate: "23505" } }),
    ),
  );
  assert.ok(!isStorageFault(new Error("anything else")));
});
