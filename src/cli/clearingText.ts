/** What `gridshare clear` prints: the cleared interval, and the block it appended. */
import type { RecordedBlock } from "../app/clearOrders.js";
import { clearingRecord, TRADE_RECORD_COLUMNS } from "../market/records.js";
import type { ClearingResult, Mechanism } from "../market/types.js";
import { describeRecovery } from "../store/ledgerStore.js";
import { toCsv, toJson, toKeyValues, toTable } from "./output.js";

/** The cleared interval as a table (header, participants, trades), JSON or CSV (trades only). */
export function clearingText(result: ClearingResult, mechanism: Mechanism, format: string): string {
  const doc = clearingRecord(result, mechanism.splitPrices);
  if (format === "json") return toJson(doc);
  const columns = mechanism.splitPrices
    ? [...TRADE_RECORD_COLUMNS, "seller_price_per_kwh"]
    : [...TRADE_RECORD_COLUMNS];
  const rows = doc.trades as unknown as Record<string, unknown>[];
  if (format === "csv") return toCsv(columns, rows);
  const s = doc.summary;
  const header = toKeyValues([
    ["mechanism", doc.mechanism + ("k" in doc ? ` (k = ${doc.k})` : "")],
    ["interval", `${doc.interval.start} + ${doc.interval.minutes} min`],
    ["traded", `${s.traded_kwh} kWh in ${doc.trades.length} trades`],
    ["clearing price", s.clearing_price_per_kwh],
    [
      "buy / sell price",
      s.buy_price_per_kwh === null ? null : `${s.buy_price_per_kwh} / ${s.sell_price_per_kwh}`,
    ],
    ["welfare", s.welfare],
    ["budget surplus", s.budget_surplus],
    ["network fees", s.network_fees],
    ["grid import / export", `${s.grid_import_kwh} / ${s.grid_export_kwh} kWh`],
    ["grid cost", s.grid_cost],
  ]);
  const participants = toTable(
    [
      "participant",
      "bought_kwh",
      "sold_kwh",
      "grid_import_kwh",
      "grid_export_kwh",
      "pays",
      "receives",
    ],
    doc.participants as unknown as Record<string, unknown>[],
  );
  const trades = rows.length > 0 ? `\n${toTable(columns, rows)}` : "\n(no local trades)\n";
  return `${header}\n${participants}${trades}`;
}

/** What `clear --ledger` says on stderr: the key it created, what it recovered, the block. */
export function recordedText(r: RecordedBlock): string {
  const created =
    r.createdKeyPath === undefined
      ? ""
      : `created operator key ${r.createdKeyPath} (keep it private; share the public key: gridshare keys show ${r.createdKeyPath})\n`;
  const h = r.block.block.head;
  return `${created}${describeRecovery(r.dir, r.recovery)}appended block ${h.height} to ${r.dir}: ${r.block.tradeCount} trades, tree size ${h.tree_size}, head ${r.headHash}\n`;
}
