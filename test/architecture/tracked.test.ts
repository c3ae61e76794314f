/**
 * Every file the tests, the demo and the documentation read must reach a fresh clone: none of
 * them may be hidden by a .gitignore pattern (a `*.log` rule once dropped the ledger vectors).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("no file under test/, data/, examples/, bench/, docs/ or src/ is ignored by git", () => {
  const out = execFileSync(
    "git",
    [
      "ls-files",
      "--others",
      "--ignored",
      "--exclude-standard",
      "--",
      "test",
      "data",
      "examples",
      "bench",
      "docs",
      "src",
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  const ignored = out.split("\n").filter((line) => line !== "");
  assert.deepEqual(ignored, [], `ignored by .gitignore but needed: ${ignored.join(", ")}`);
});
