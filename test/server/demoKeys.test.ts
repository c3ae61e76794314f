/**
 * `serve --demo` registers its homes on first start and skips the registered ones after: a home
 * that rotated its key since is registered already, and the restart must not try again.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { signKeyRotation } from "../../src/app/liveRequests.js";
import { startServe } from "../../src/server/serve.js";
import { openIntervals } from "../../src/service/schedule.js";
import { readIdentity } from "../../src/store/keyFile.js";
import { fixedIdentity } from "../support/ledgerFixtures.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-demo-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const demo = () =>
  startServe({
    demo: true,
    dataDir: dir,
    host: "127.0.0.1",
    port: 0,
    clock: { kind: "manual", startMs: Date.UTC(2016, 7, 1, 8) },
    rateLimit: "off",
    note: () => undefined,
  });

test("serve --demo: a home that rotated its key is not registered again at the next start", async () => {
  const first = await demo();
  try {
    const home = await readIdentity(join(dir, "demo-keys", "Building_1.key"));
    const { community } = first.platform;
    const [from] = openIntervals(community.schedule, community.clock.now());
    const rotation = signKeyRotation(
      home.participant,
      home,
      fixedIdentity("Building_1 next"),
      from as number,
      Date.now(),
    );
    assert.equal((await community.rotateKey(rotation, home.participant)).created, true);
  } finally {
    await first.stop();
  }
  const again = await demo();
  try {
    assert.equal((await again.platform.community.store.participants()).length, 17);
  } finally {
    await again.stop();
  }
});
