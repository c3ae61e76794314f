/** The verifier's report as `ledger verify` prints it (and `ledger fetch`, on its copy). */
import type { LedgerVerification } from "../store/ledgerRead.js";
import { toJson } from "./output.js";

/**
 * The report as JSON (`--json`) or one `ok:` line; `pinned` when the caller named the operator
 * key, else the line says which key signed and how to pin it.
 */
export function verificationText(
  report: LedgerVerification,
  options: { readonly json: boolean; readonly pinned: boolean; readonly seconds: number },
): string {
  if (options.json)
    return toJson({
      valid: true,
      blocks: report.blocks,
      trades: report.trades,
      orders: report.orders,
      signatures: report.signatures,
      tree_size: report.treeSize,
      head_hash: report.headHash,
      operator: report.operator ?? null,
      operators: report.operators,
      seconds: Number(options.seconds.toFixed(3)),
    });
  const unpinned =
    options.pinned || !report.operator
      ? ""
      : ` (operator ${report.operator.slice(0, 16)}... not pinned: pass --operator to check it is the one you trust)`;
  const current = report.operators.at(-1);
  const handedOver =
    report.operators.length > 1 && current !== undefined
      ? `; block signing handed over ${report.operators.length - 1} time(s), now to ${current.slice(0, 16)}...`
      : "";
  return `ok: ${report.blocks} blocks, ${report.trades} trades, ${report.signatures} signatures, tree size ${report.treeSize}, head ${report.headHash}${handedOver}${unpinned}\n`;
}
