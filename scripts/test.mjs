// The whole check behind `npm test`: build (type-checks src), type-check tests and benches,
// lint, then every *.test.ts under src/ and test/ through node:test with tsx.
// Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (pkg, file) => join(root, "node_modules", pkg, file);

function step(title, args) {
  process.stderr.write(`\n== ${title}\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`\n${title}: failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`== ${title}: ok in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

function testFiles(filter) {
  const files = [];
  for (const dir of ["src", "test"]) {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
      if (e.isFile() && e.name.endsWith(".test.ts")) {
        files.push(relative(root, join(e.parentPath ?? e.path, e.name)));
      }
    }
  }
  files.sort();
  return filter ? files.filter((f) => f.includes(filter)) : files;
}

const only = process.argv[2];
if (!only) {
  step("build (tsc -p tsconfig.build.json)", [
    bin("typescript", "bin/tsc"),
    "-p",
    "tsconfig.build.json",
  ]);
  step("type check (tsc --noEmit)", [
    bin("typescript", "bin/tsc"),
    "--noEmit",
    "-p",
    "tsconfig.json",
  ]);
  step("lint (biome check)", [bin("@biomejs/biome", "bin/biome"), "check", "."]);
}
const files = testFiles(only);
if (files.length === 0) {
  // node --test with no files would go looking for any test-like file itself.
  process.stderr.write(`no test file under src/ or test/ has "${only}" in its path\n`);
  process.exit(2);
}
step(`tests (${files.length} files)`, [
  "--import",
  "tsx",
  "--test",
  "--test-reporter=spec",
  ...files,
]);
