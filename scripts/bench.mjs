// `npm run bench [-- name ...]`: runs the benchmarks under bench/ (all, or those whose file name
// contains one of the given names), each in its own process with the garbage collector exposed.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const names = process.argv.slice(2);
// A name that is a whole bench's name picks that one only (`serve`, not also `serve-crash`).
const all = readdirSync(join(root, "bench")).filter((f) => f.endsWith(".bench.ts"));
const picks = (n) =>
  all.includes(`${n}.bench.ts`) ? [`${n}.bench.ts`] : all.filter((f) => f.includes(n));
const files = (names.length === 0 ? all : [...new Set(names.flatMap(picks))]).sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${names.join(", ")}\n`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", join("bench", f)],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
