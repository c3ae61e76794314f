/** `gridshare demo`: the shipped example interval cleared by every mechanism, side by side. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { fromMicro, whToKwh } from "../../core/units.js";
import { checkOrders, clearMarket } from "../../market/clearMarket.js";
import { MECHANISMS } from "../../market/mechanisms.js";
import { MECHANISM_NAMES } from "../../market/types.js";
import { parseClearInput } from "../clearInput.js";
import type { CommandContext } from "../context.js";
import { parseJsonText } from "../io.js";
import { toTable } from "../output.js";

export async function runDemo(ctx: CommandContext): Promise<void> {
  const path = new URL("../../../examples/orders.json", import.meta.url);
  const { input } = parseClearInput(
    parseJsonText(await readFile(path, "utf8"), "examples/orders.json"),
    "examples/orders.json",
  );
  const rows = MECHANISM_NAMES.map((name) => {
    const mechanism = MECHANISMS[name];
    if (checkOrders(input, mechanism).length > 0) throw new Error(`example invalid for ${name}`);
    const r = clearMarket(input, { mechanism });
    const s = r.summary;
    return {
      mechanism: name,
      traded_kwh: whToKwh(s.tradedWh),
      trades: r.trades.length,
      price:
        s.prices.clearingPriceMicro === null
          ? s.prices.buyPriceMicro === null
            ? null
            : `${fromMicro(s.prices.buyPriceMicro)} / ${fromMicro(s.prices.sellPriceMicro ?? 0)}`
          : fromMicro(s.prices.clearingPriceMicro),
      welfare: fromMicro(s.welfareMicro),
      budget_surplus: fromMicro(s.budgetSurplusMicro),
      grid_cost: fromMicro(s.gridCostMicro),
    };
  });
  ctx.io.stdout.write(
    `One 15-minute interval of examples/orders.json, cleared by every mechanism:\n\n`,
  );
  ctx.io.stdout.write(
    toTable(
      ["mechanism", "traded_kwh", "trades", "price", "welfare", "budget_surplus", "grid_cost"],
      rows,
    ),
  );
  ctx.io.stdout.write(`\nTry: gridshare clear --mechanism mcafee examples/orders.json\n`);
}

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command("demo")
    .description("run the shipped demo: an example interval cleared by every mechanism")
    .action(async () => runDemo(ctx));
}
