/**
 * The published ledger vectors as tests: each case of a vector directory's `cases.json` runs the
 * CLI on its files and checks the exit code and the words it must print (never a stack trace),
 * and today's code must still write the directory's `valid` ledger byte for byte. The same for
 * every ledger format; only the directory and how the valid ledger is written differ.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HEAD_FILE, LOG_FILE } from "../../src/store/ledgerStore.js";
import { runCli } from "./cli.js";

interface VectorCase {
  readonly name: string;
  readonly description: string;
  readonly command: string[];
  readonly exit: number;
  readonly expect: string;
}

export interface VectorSuite {
  /** The vectors' directory under test/vectors/, e.g. "ledger2". */
  readonly dir: string;
  /** Put before each test's name, e.g. "format-2 vector". */
  readonly label: string;
  /** The golden test's name. */
  readonly golden: string;
  /** Writes the valid vector's ledger into this empty directory. */
  readonly writeValid: (dir: string) => Promise<void>;
  /** Other valid ledgers of the directory, by name, each written byte for byte too. */
  readonly moreValid?: Readonly<Record<string, (dir: string) => Promise<void>>>;
}

export function vectorTests(suite: VectorSuite): void {
  const root = new URL(`../vectors/${suite.dir}/`, import.meta.url).pathname;
  const { cases } = JSON.parse(readFileSync(join(root, "cases.json"), "utf8")) as {
    cases: VectorCase[];
  };
  for (const c of cases) {
    test(`${suite.label} ${c.name}: ${c.description}`, async () => {
      const argv = c.command.map((a) => (existsSync(join(root, a)) ? join(root, a) : a));
      const r = await runCli(argv);
      assert.equal(r.code, c.exit, `exit ${r.code}: ${r.stderr}`);
      assert.ok(
        (c.exit === 0 ? r.stdout : r.stderr).includes(c.expect),
        `expected "${c.expect}" in:\n${r.stdout}${r.stderr}`,
      );
      if (c.exit !== 0) assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });
  }
  const golden = async (name: string, write: (dir: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), `gridshare-golden-${suite.dir}-`));
    await write(dir);
    for (const file of [LOG_FILE, HEAD_FILE])
      assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(root, name, file)));
  };
  test(suite.golden, () => golden("valid", suite.writeValid));
  for (const [name, write] of Object.entries(suite.moreValid ?? {}))
    test(`${suite.golden}: and the ${name} ledger`, () => golden(name, write));
}
