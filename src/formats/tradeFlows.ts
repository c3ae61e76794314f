/**
 * An interval's trades on a feeder, from a CSV with the ledger export's columns (transaction_id,
 * seller, buyer, energy_amount_kwh), sellers and buyers named by the feeder's load names.
 */
import { InputError } from "../core/errors.js";
import { busKey } from "../grid/feeder.js";
import type { TradeFlow } from "../grid/networkTrades.js";
import { columnIndex, numberColumn, parseCsv } from "./csv.js";
import type { FeederFiles } from "./feederFiles.js";
import { readInputFile } from "./inputFile.js";

/** An interval's trades from a CSV (the ledger export's columns), sellers and buyers by load name. */
export async function readTradeFlows(
  files: FeederFiles,
  path: string,
  hours: number,
): Promise<TradeFlow[]> {
  const t = parseCsv(await readInputFile(path), path);
  const f = files.feeder;
  const byName = new Map(f.spec.loads.map((l) => [l.name.toLowerCase(), l]));
  const col = (name: string) => t.columns[columnIndex(t, name)] as string[];
  const ids = t.header.some((h) => h.toLowerCase() === "transaction_id")
    ? col("transaction_id")
    : undefined;
  const sellers = col("seller");
  const buyers = col("buyer");
  const kwh = numberColumn(t, "energy_amount_kwh");
  return sellers.map((s, r) => {
    const at = (who: string, field: string) => {
      const load = byName.get(who.trim().toLowerCase());
      if (!load)
        throw new InputError(
          "E_DATA_INVALID",
          `${path}, line ${t.lines[r]}, field ${field}: expected a load of the feeder (${f.spec.loads[0]?.name} to ${f.spec.loads[f.spec.loads.length - 1]?.name}), received ${JSON.stringify(who)}`,
        );
      return 3 * (f.index.get(busKey(load.bus)) as number) + load.phase;
    };
    if (!((kwh[r] as number) >= 0))
      throw new InputError(
        "E_DATA_INVALID",
        `${path}, line ${t.lines[r]}, field energy_amount_kwh: expected 0 or more`,
      );
    return {
      id: ids?.[r] ?? `row ${r + 1}`,
      seller: at(s, "seller"),
      buyer: at(buyers[r] as string, "buyer"),
      kw: (kwh[r] as number) / hours,
    };
  });
}
