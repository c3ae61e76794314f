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
import { loadScenarioFile } from "../../src/formats/scenario.js";
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
          agent.hear({
            slot: 12,
            priceMicro: price,
            importMicro,
            exportMicro,
            supplyWh: 1000,
            demandWh: 1000,
          });
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
  for (let d = 0; d < 7; d++)
    agent.hear({
      slot: 18,
      priceMicro: 200_000,
      importMicro: 300_000,
      exportMicro: 50_000,
      supplyWh: 1000,
      demandWh: 2000,
    });
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

test("the forecast agent values a kWh by the price it has heard and the share of one more kWh that would have matched", () => {
  const agent = createAgent("forecast", NO_PREFERENCES, createRng(1), 24);
  const tariff = { importMicro: 300_000, exportMicro: 50_000 };
  // Nothing heard yet: the tariff itself.
  assert.deepEqual(agent.localValue?.(13, 300_000, 50_000, 10_000), {
    buyMicro: 300_000,
    sellMicro: 50_000,
  });
  // At 13:00 on 3 of 4 days 9 kWh were offered for 2 kWh asked (a buyer fills, a seller 2/9 of
  // its offer) and on the fourth 1 kWh for 2 (a buyer fills half, a seller all), at 20 % of the
  // spread; at 19:00 nothing was offered and no price heard (a seller would fill).
  for (let d = 0; d < 4; d++) {
    agent.hear({
      slot: 13,
      priceMicro: 100_000,
      ...tariff,
      supplyWh: d < 3 ? 9000 : 1000,
      demandWh: 2000,
    });
    agent.hear({ slot: 19, priceMicro: null, ...tariff, supplyWh: 0, demandWh: 8000 });
  }
  const noon = agent.localValue?.(13, 300_000, 50_000, 10_000);
  const buyShare = (1 + 1 + 1 + 0.5) / 4;
  const sellShare = (2 / 9 + 2 / 9 + 2 / 9 + 1) / 4;
  assert.ok(
    Math.abs((noon?.buyMicro ?? 0) - (buyShare * (100_000 + 10_000) + (1 - buyShare) * 300_000)) <
      1e-6,
  );
  assert.ok(
    Math.abs((noon?.sellMicro ?? 0) - (sellShare * 100_000 + (1 - sellShare) * 50_000)) < 1e-6,
  );
  const evening = agent.localValue?.(19, 300_000, 50_000, 10_000);
  assert.equal(evening?.buyMicro, 300_000);
  assert.equal(
    evening?.sellMicro,
    50_000 + 0.5 * 250_000,
    "no price heard: the middle of the spread",
  );
  // Only the forecast agent plans on the local market.
  for (const s of ["truthful", "zi-c", "zip"] as const)
    assert.equal(createAgent(s, NO_PREFERENCES, createRng(1), 24).localValue, undefined);
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
