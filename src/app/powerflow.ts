/**
 * One snapshot of a feeder: each load's P and Q from a file or from its shape at a minute of the
 * day, solved by the three-phase power flow; and an interval's trades checked on such a base
 * case, with what breaks a limit curtailed.
 */
import { InputError } from "../core/errors.js";
import {
  type FeederFiles,
  loadFeederDir,
  loadSnapshotFile,
  snapshotAtMinute,
} from "../formats/feederFiles.js";
import { readTradeFlows } from "../formats/tradeFlows.js";
import type { Snapshot } from "../grid/day.js";
import { checkTrades } from "../grid/networkTrades.js";
import { PowerFlow, type PowerFlowResult } from "../grid/powerflow.js";
import { round, stepRecord } from "../grid/records.js";

/** The base case: a loads file (`load,bus,phase,p_kw,q_kvar`), or a minute of the day (1-1440). */
export type BaseCase = { readonly loadsPath: string } | { readonly minute: number };

export interface SnapshotOptions {
  readonly feederDir: string;
  readonly base: BaseCase;
}

async function baseSnapshot(files: FeederFiles, base: BaseCase): Promise<Snapshot> {
  return "loadsPath" in base
    ? loadSnapshotFile(files.feeder, base.loadsPath)
    : snapshotAtMinute(files, base.minute);
}

/** Solves one snapshot; `E_NOT_CONVERGED` when the loads break the feeder. */
export async function solveSnapshot(
  options: SnapshotOptions,
): Promise<{ files: FeederFiles; snapshot: Snapshot; result: PowerFlowResult }> {
  const files = await loadFeederDir(options.feederDir);
  const snapshot = await baseSnapshot(files, options.base);
  // A PowerFlowError (collapse, divergence) is an InputError naming the bus.
  const result = new PowerFlow(files.feeder).solve(snapshot.pKw, snapshot.qKvar);
  if (!result.converged)
    throw new InputError(
      "E_NOT_CONVERGED",
      `the power flow did not converge in ${result.iterations} sweeps (last change ${result.mismatchPu.toExponential(2)} pu)`,
    );
  return { files, snapshot, result };
}

export interface CheckTradesOptions extends SnapshotOptions {
  /** The interval's trades (seller, buyer, energy_amount_kwh by load name). */
  readonly tradesPath: string;
  readonly intervalMinutes: number;
  /** Curtail what breaks a limit (default), or only report it. */
  readonly remedy: boolean;
}

/** The interval's trades on the base case; the record `powerflow --trades` prints. */
export async function checkIntervalTrades(options: CheckTradesOptions) {
  const files = await loadFeederDir(options.feederDir);
  const base = await baseSnapshot(files, options.base);
  const hours = options.intervalMinutes / 60;
  const trades = await readTradeFlows(files, options.tradesPath, hours);
  const r = checkTrades(files.feeder, base, trades, { remedy: options.remedy });
  const f = files.feeder;
  return {
    interval_minutes: options.intervalMinutes,
    trades: trades.length,
    traded_kwh: round(
      trades.reduce((a, t) => a + t.kw * hours, 0),
      4,
    ),
    limits: "EN 50160 207-253 V, line ratings, transformer rating",
    base: stepRecord(f, r.base),
    with_trades: stepRecord(f, r.withTrades),
    after_remedy: stepRecord(f, r.afterRemedy),
    curtailed: r.curtailed.map((c) => ({
      transaction_id: c.id,
      kwh_before: round(c.kwBefore * hours, 4),
      kwh_after: round(c.kwAfter * hours, 4),
      reason: c.reason,
    })),
    curtailed_kwh: round(
      r.curtailed.reduce((a, c) => a + (c.kwBefore - c.kwAfter) * hours, 0),
      4,
    ),
    remedy:
      "curtail the trade contributing most to the worst violation (power x measured sensitivity), re-solve, repeat",
    solves: r.solves,
  };
}
