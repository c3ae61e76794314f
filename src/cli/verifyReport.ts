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
      seconds: Number(options.seconds.toFixed(3)),
    });
  const unpinned =
    options.pinned || !report.operator
      ? ""
      : ` (operator ${report.operator.slice(0, 16)}... not pinned: pass --operator to check it is the one you trust)`;
  return `ok: ${report.blocks} blocks, ${report.trades} trades, ${report.signatures} signatures, tree size ${report.treeSize}, head ${report.headHash}${unpinned}\n`;
}
