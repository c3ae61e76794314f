/** `gridshare ledger repair`: what a damaged ledger holds, and dropping its tail when asked. */
import type { Command } from "commander";
import { inspectLedger, type LedgerDiagnosis, repairLedger } from "../../app/repairLedger.js";
import type { CommandContext } from "../context.js";
import { blockHeight, flagOption } from "../flags.js";

const span = (from: number, to: number) => (from === to ? `block ${from}` : `blocks ${from}–${to}`);

/** The diagnosis in words, with the command that would keep the chain. */
function describe(d: LedgerDiagnosis): string {
  const head =
    typeof d.head === "number"
      ? d.head < 0
        ? "HEAD acknowledges no block"
        : `HEAD acknowledges ${span(0, d.head)}`
      : `HEAD is ${d.head}`;
  const tail = d.tailBytes > 0 ? `, then ${d.tailBytes} bytes that are not a block` : "";
  const lines = [
    `${d.dir}: ${d.records} complete block(s) in the log${tail}`,
    d.chain === d.records
      ? `every block links to the one before${d.records > 0 ? ` (${span(0, d.records - 1)})` : ""}`
      : `${d.chain === 0 ? "no block" : span(0, d.chain - 1)} link from the start; block ${d.chain} does not extend ${d.chain === 0 ? "the start" : `block ${d.chain - 1}`}`,
    head,
  ];
  const healthy =
    d.chain === d.records &&
    d.tailBytes === 0 &&
    typeof d.head === "number" &&
    d.head === d.chain - 1;
  if (healthy) lines.push("nothing to repair");
  else if (d.chain > 0) {
    const drops = d.records - d.chain;
    lines.push(
      `to keep ${span(0, d.chain - 1)}${drops > 0 ? ` and drop ${drops} block(s)` : ""}: gridshare ledger repair ${d.dir} --truncate-after ${d.chain - 1}`,
    );
  } else lines.push("no block can be kept: start a new ledger");
  return `${lines.join("\n")}\n`;
}

export function registerLedgerRepair(ledger: Command, ctx: CommandContext): void {
  ledger
    .command("repair")
    .description(
      "say what a damaged ledger holds and what a repair would drop; with --truncate-after, keep blocks 0 to n and drop the rest",
    )
    .argument("<dir>", "the ledger directory")
    .addOption(
      flagOption(
        "--truncate-after <n>",
        "keep blocks 0 to n (they must link), drop everything after them, publish HEAD for block n",
        blockHeight,
      ),
    )
    .addHelpText(
      "after",
      "\nWithout --truncate-after nothing is changed. Opening a ledger for append never drops a complete block; only this command does, when told which to keep.\n\nExample:\n  gridshare ledger repair ledger/\n  gridshare ledger repair ledger/ --truncate-after 41",
    )
    .action(async (dir: string, flags: { truncateAfter?: number }) => {
      const keep = flags.truncateAfter;
      if (keep === undefined) {
        ctx.io.stdout.write(describe(await inspectLedger({ dir })));
        return;
      }
      const r = await repairLedger({ dir, truncateAfter: keep });
      const acked =
        r.droppedAcknowledged > 0 ? ` (${r.droppedAcknowledged} of them acknowledged by HEAD)` : "";
      ctx.io.stdout.write(
        `${dir}: kept ${span(0, r.keptHeight)}; dropped ${r.droppedBlocks} block(s)${acked} and ${r.droppedBytes} bytes in all; HEAD now acknowledges block ${r.keptHeight}\ncheck what is kept: gridshare ledger verify ${dir}\n`,
      );
    });
}
