/**
 * A command is flags, one call into src/app/ and rendering: its file stays short, and only the
 * command-line tests reach into src/cli/commands/ (everything else tests the use case itself).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COMMANDS = join(ROOT, "src", "cli", "commands");
const MAX_LINES = 150;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

test(`commands: every file in src/cli/commands/ has ${MAX_LINES} lines or fewer`, () => {
  const files = tsFiles(COMMANDS);
  assert.ok(files.length > 20, `found ${files.length} command files`);
  const long = files
    .map((f) => [relative(ROOT, f), readFileSync(f, "utf8").split("\n").length - 1] as const)
    .filter(([, lines]) => lines > MAX_LINES)
    .map(([f, lines]) => `${f}: ${lines} lines`);
  assert.deepEqual(long, []);
});

test("commands: only the command-line tests import from src/cli/commands/", () => {
  const importers: string[] = [];
  for (const dir of ["test", "bench", "scripts", "src"]) {
    for (const file of tsFiles(join(ROOT, dir))) {
      const path = relative(ROOT, file);
      if (path.startsWith("test/cli/") || path.startsWith("src/cli/")) continue;
      if (/from\s+"[^"]*cli\/commands\//.test(readFileSync(file, "utf8"))) importers.push(path);
    }
  }
  assert.deepEqual(importers, []);
});
