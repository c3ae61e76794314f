// Installs dependencies on first use (a fresh clone) and builds the CLI when the build is
// missing or older than the sources, so that `npm test`, `npm run demo` and `npm run bench`
// work as the first command. Uses only Node's standard library.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const t = statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

const marker = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
if (
  !existsSync(marker) ||
  mtime(marker) < mtime(lock) ||
  mtime(marker) < mtime(join(root, "package.json"))
) {
  process.stderr.write("gridshare: installing dependencies (first run)...\n");
  run(
    npm,
    existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"],
  );
}

const builtCli = join(root, "dist", "cli", "main.js");
if (!existsSync(builtCli) || mtime(builtCli) < newestUnder(join(root, "src"))) {
  process.stderr.write("gridshare: building...\n");
  run(process.execPath, [
    join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    "tsconfig.build.json",
  ]);
}
