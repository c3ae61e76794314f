/**
 * Trading agents: limits stay within what a home can gain (no strategy ever bids beyond its
 * value or below its cost), ZIP learns, the forecast agent learns the clearing price's place in
 * the tariff, and on the CityLearn community the strategies rank as the literature says
 * (truthful and forecast-driven at full efficiency, ZIP close, ZI-C well below) with no home
 * worse off than alone with the grid.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createAgent, NO_PREFERENCES, STRATEGIES } from "../../src/agents/strategies.js";
import { createRng } from "../../src/core/rng.js";
import { loadScenarioFile } from "../../src/data/scenario.js";
import { computeKpis } from "../../src/sim/kpis.js";
import { runSimulation } from "../../src/sim/run.js";

const scenario = (name: string) =>
  new URL(`../../scenarios/agents/${name}.json`, import.meta.url).pathname;

test("property: every strategy bids within [feed-in, value] when buying and [cost, import] when selling", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...STRATEGIES),
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 1, max: 500_000 }),
      fc.integer({ min: 0, max: 20_000 }),
      fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), {
        maxLength: 30,
      }),
      (strategy, exportMicro, extra, premium, history) => {
        const importMicro = exportMicro + extra;
        const prefs = { ...NO_PREFERENCES, greenPremiumMicro: premium };
        const agent = createAgent(strategy, prefs, createRng(3), 24);
        for (const [buy, fill, traded] of history) {
          const side = buy ? "buy" : "sell";
          const q = { side, importMicro, exportMicro, feeMicro: 10_000, slot: 12 } as const;
          const limit = agent.limit(q);
          if (buy)
            assert.ok(
              limit >= exportMicro - 1 && limit <= importMicro + premium + 1,
              `${strategy} bid ${limit}`,
            );
          else
            assert.ok(
              limit >= exportMicro - 1 && limit <= importMicro + 1,
              `${strategy} ask ${limit}`,
            );
          const price = traded ? Math.round(exportMicro + fill * extra) : null;
          agent.observe({
            side,
            limitMicro: limit,
            filled: fill,
            priceMicro: price,
            slot: 12,
            importMicro,
            exportMicro,
          });
          agent.hear(12, price, importMicro, exportMicro);
        }
      },
    ),
  );
});

test("ZIP gives up margin when unmatched and takes more when filled", () => {
  const agent = createAgent("zip", NO_PREFERENCES, createRng(11), 24);
  const q = {
    side: "sell",
    importMicro: 300_000,
    exportMicro: 50_000,
    feeMicro: 0,
    slot: 0,
  } as const;
  const first = agent.limit(q);
  for (let k = 0; k < 20; k++)
    agent.observe({
      side: "sell",
      limitMicro: agent.limit(q),
      filled: 0,
      priceMicro: null,
      slot: 0,
      importMicro: 300_000,
      exportMicro: 50_000,
    });
  const unmatched = agent.limit(q);
  assert.ok(unmatched < first, `${unmatched} < ${first}`);
  for (let k = 0; k < 20; k++)
    agent.observe({
      side: "sell",
      limitMicro: agent.limit(q),
      filled: 1,
      priceMicro: 250_000,
      slot: 0,
      importMicro: 300_000,
      exportMicro: 50_000,
    });
  assert.ok(agent.limit(q) > unmatched);
});

test("the forecast agent bids around the clearing price it has seen, as a place in the tariff", () => {
  const agent = createAgent("forecast", NO_PREFERENCES, createRng(1), 24);
  // Prices seen at 60 % of the way from feed-in to import.
  for (let d = 0; d < 7; d++) agent.hear(18, 200_000, 300_000, 50_000);
  // A cheaper tariff at the same hour: the forecast moves with it.
  const ask = agent.limit({
    side: "sell",
    importMicro: 200_000,
    exportMicro: 50_000,
    feeMicro: 0,
    slot: 18,
  });
  assert.equal(ask, Math.round(50_000 + 0.6 * 150_000 - 0.02 * 150_000));
});

test("the strategy experiment on 60 days of the CityLearn community", async () => {
  const result: Record<string, { efficiency: number | null; worse: number; saving: number }> = {};
  for (const name of ["truthful", "zi-c", "zip", "forecast", "mixed"]) {
    const { input } = await loadScenarioFile(scenario(name), { days: 60, ledger: false });
    const p2p = computeKpis(await runSimulation(input)).p2p;
    assert.ok(p2p);
    result[name] = {
      efficiency: p2p.market_efficiency,
      worse: p2p.homes_worse_off,
      saving: p2p.saving,
    };
  }
  const eff = (n: string) => result[n]?.efficiency ?? 0;
  assert.equal(eff("truthful"), 1);
  assert.ok(eff("forecast") > 0.95, `forecast ${eff("forecast")}`);
  assert.ok(eff("zip") > eff("zi-c") && eff("zip") < 1, `zip ${eff("zip")} vs zi-c ${eff("zi-c")}`);
  assert.ok(eff("zi-c") < 0.8);
  for (const [name, r] of Object.entries(result))
    assert.equal(r.worse, 0, `${name}: homes worse off`);
});
