import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HEAD_FILE, LedgerWriter, LOG_FILE } from "../../src/store/ledgerStore.js";
import { runCli } from "../support/cli.js";
import { appendFormat2 } from "../support/ledger2Fixtures.js";

const ROOT = new URL("../vectors/ledger2/", import.meta.url).pathname;
const { cases } = JSON.parse(readFileSync(join(ROOT, "cases.json"), "utf8")) as {
  cases: { name: string; description: string; command: string[]; exit: number; expect: string }[];
};

for (const c of cases) {
  test(`format-2 vector ${c.name}: ${c.description}`, async () => {
    const argv = c.command.map((a) => (existsSync(join(ROOT, a)) ? join(ROOT, a) : a));
    const r = await runCli(argv);
    assert.equal(r.code, c.exit, `exit ${r.code}: ${r.stderr}`);
    assert.ok(
      (c.exit === 0 ? r.stdout : r.stderr).includes(c.expect),
      `expected "${c.expect}" in:\n${r.stdout}${r.stderr}`,
    );
    if (c.exit !== 0) assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });
}

test("golden: today's code writes the valid format-2 vector byte for byte", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gridshare-golden2-"));
  const writer = await LedgerWriter.open(dir, { create: true });
  appendFormat2(writer);
  await writer.close();
  assert.deepEqual(readFileSync(join(dir, LOG_FILE)), readFileSync(join(ROOT, "valid", LOG_FILE)));
  assert.deepEqual(
    readFileSync(join(dir, HEAD_FILE)),
    readFileSync(join(ROOT, "valid", HEAD_FILE)),
  );
});
