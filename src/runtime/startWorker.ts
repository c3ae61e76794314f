/**
 * Starts a worker thread running a module of this package: the built `.js` file, or the
 * TypeScript source when gridshare itself runs from source (tests and benchmarks under tsx).
 */
import { Worker } from "node:worker_threads";

/** `moduleUrl` is the worker module's URL as `new URL("./x.js", import.meta.url)` gives it. */
export function startWorker(moduleUrl: URL): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  if (!fromSource) return new Worker(moduleUrl);
  // Node 20 workers do not inherit the TypeScript loader, so the worker registers it first.
  const loader = import.meta.resolve("tsx/esm/api");
  const target = moduleUrl.href.replace(/\.js$/, ".ts");
  const bootstrap = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(bootstrap, { eval: true });
}
