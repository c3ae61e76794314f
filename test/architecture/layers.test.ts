/**
 * The layering of DESIGN.md, checked on every import under src/: imports point down only, and
 * domain modules do no I/O and read no clock or global randomness.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

const DOMAIN_LAYERS = [
  "core",
  "home",
  "market",
  "ledger",
  "grid",
  "forecast",
  "optimize",
  "maintenance",
  "agents",
] as const;
/** Below the use cases: the domain, the simulation, persistence, loaders and worker threads. */
const BELOW_APP = [...DOMAIN_LAYERS, "sim", "store", "formats", "runtime"] as const;

/**
 * Which top-level folders each folder may import from (besides itself). The order is
 * `cli/, server/ -> service/ -> app/ -> sim/, store/ -> domain -> core/`, with `report/` an edge
 * that renders what `app/` and `sim/` return, and `web/` (the browser) sharing only `core/`.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  home: ["core"],
  market: ["core"],
  grid: ["core"],
  forecast: ["core"],
  optimize: ["core", "home", "forecast"],
  maintenance: ["core", "forecast", "grid"],
  ledger: ["core", "market"],
  agents: ["core", "home", "market", "forecast", "optimize"],
  sim: [...DOMAIN_LAYERS],
  formats: [
    "core",
    "home",
    "market",
    "sim",
    "optimize",
    "grid",
    "forecast",
    "agents",
    "maintenance",
  ],
  store: ["core", "market", "ledger", "sim", "formats", "runtime"],
  runtime: ["core", "optimize"],
  report: [...DOMAIN_LAYERS, "sim", "formats"],
  app: [...BELOW_APP, "report"],
  service: [...BELOW_APP, "app"],
  server: [...BELOW_APP, "app", "service"],
  web: ["core"],
  cli: [...BELOW_APP, "app", "service", "server", "report"],
};
const DOMAIN = new Set<string>([...DOMAIN_LAYERS, "sim"]);
const DOMAIN_FORBIDDEN = [
  /from "node:fs/,
  /from "node:net"/,
  /from "node:http/,
  /\bDate\.now\(/,
  /\bnew Date\(\)/,
  /\bMath\.random\(/,
  /\bprocess\.(env|argv|stdout|stderr)/,
];

function sourceFiles(): string[] {
  return readdirSync(SRC, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

test("layers: every import under src/ points down", () => {
  const problems: string[] = [];
  for (const file of sourceFiles()) {
    const layer = relative(SRC, file).split("/")[0] as string;
    if (file.endsWith(".test.ts")) continue;
    assert.ok(
      layer in ALLOWED || !relative(SRC, file).includes("/"),
      `unknown layer folder src/${layer}`,
    );
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
      const target = relative(SRC, resolve(file, "..", m[1] as string)).split("/")[0] as string;
      if (target === layer) continue;
      if (!(ALLOWED[layer] ?? []).includes(target))
        problems.push(`${relative(SRC, file)} imports ${m[1]} (${layer} -> ${target})`);
    }
  }
  assert.deepEqual(problems, []);
});

test("layers: nothing below app/ imports it; only the edges and service/ do", () => {
  const importers = Object.entries(ALLOWED)
    .filter(([, allowed]) => allowed.includes("app"))
    .map(([layer]) => layer)
    .sort();
  assert.deepEqual(importers, ["cli", "server", "service"]);
  for (const layer of BELOW_APP) assert.ok(!ALLOWED[layer]?.includes("app"), layer);
});

test("layers: domain modules do no I/O and read no clock or global randomness", () => {
  const problems: string[] = [];
  for (const file of sourceFiles()) {
    const layer = relative(SRC, file).split("/")[0] as string;
    if (!DOMAIN.has(layer) || file.endsWith(".test.ts")) continue;
    const text = readFileSync(file, "utf8");
    for (const pattern of DOMAIN_FORBIDDEN)
      if (pattern.test(text)) problems.push(`${relative(SRC, file)}: ${pattern}`);
  }
  assert.deepEqual(problems, []);
});

test("layers: no import cycles between modules under src/", () => {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    if (file.endsWith(".test.ts")) continue;
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/from\s+"(\.[^"]+)"/g)].map((m) =>
      resolve(file, "..", (m[1] as string).replace(/\.js$/, ".ts")),
    );
    graph.set(file, targets);
  }
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") {
        const loop = path.slice(path.indexOf(next)).map((f) => relative(SRC, f));
        cycles.push([...loop, relative(SRC, next)].join(" -> "));
      } else if (!state.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});
