/**
 * The built `gridshare serve` (bin/gridshare.js, running dist/) as a child process: started on a
 * free port, its address read from stderr, killed with SIGKILL or stopped with SIGTERM. Tests
 * and benches that must crash a real server use it; the build is made first when dist/ is
 * missing or older than src/.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function newestUnder(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (tsc -p tsconfig.build.json) unless it is newer than every source file. */
export function ensureBuilt(): void {
  const built = join(ROOT, "dist", "cli", "main.js");
  if (existsSync(built) && statSync(built).mtimeMs >= newestUnder(join(ROOT, "src"))) return;
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`the build failed: ${r.stdout}${r.stderr}`);
}

export interface ServedProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT`. */
  readonly address: string;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
}

/**
 * Starts `node [...nodeArgs] bin/gridshare.js serve ...args` with `env` and waits (at most
 * `timeoutMs`) for its `listening on` line.
 */
export function startServed(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  nodeArgs: readonly string[] = [],
): Promise<ServedProcess> {
  const bin = join(ROOT, "bin", "gridshare.js");
  const child = spawn(process.execPath, [...nodeArgs, bin, "serve", ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal as NodeJS.Signals))),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve printed no address in ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: m[1] as string, exited, stderr: () => err });
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`serve ended (${how}) before listening; stderr: ${err}`));
    });
  });
}

/** SIGKILL, and waits for the process to be gone. */
export async function killServed(p: ServedProcess): Promise<void> {
  p.child.kill("SIGKILL");
  await p.exited;
}

/** SIGTERM; resolves with how it exited, or rejects after `timeoutMs`. */
export async function stopServed(
  p: ServedProcess,
  timeoutMs = 15_000,
): Promise<number | NodeJS.Signals> {
  p.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`serve did not stop within ${timeoutMs} ms of SIGTERM`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([p.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
