/**
 * The LP solver gridshare uses: HiGHS in worker threads, so that a solve never blocks a server
 * or the simulation loop. Requests go to the least-busy worker; workers start on first use and
 * never keep the process alive once idle.
 */
import { performance } from "node:perf_hooks";
import type { Worker } from "node:worker_threads";
import { InvariantError } from "../core/errors.js";
import type { LinearProgram, LpSolution, LpSolver, SolveOptions } from "../core/lp.js";
import type { PackedSolution } from "./highsSolve.js";
import type { SolveRequest } from "./highsWorker.js";
import { startWorker } from "./startWorker.js";

interface Pending {
  resolve: (s: PackedSolution) => void;
  reject: (e: unknown) => void;
}

class SolverWorker {
  private readonly worker: Worker;
  readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = startWorker(new URL("./highsWorker.js", import.meta.url));
    this.worker.unref();
    this.worker.on("message", (msg: { id: number; solution?: PackedSolution; error?: string }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.solution) p?.resolve(msg.solution);
      else p?.reject(new InvariantError(`HiGHS failed: ${msg.error}`));
    });
    this.worker.on("error", (error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  post(request: SolveRequest, transfer: ArrayBuffer[]) {
    return new Promise<PackedSolution>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(request, transfer);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Time spent, in milliseconds, over all solves of one solver. */
export interface SolverStats {
  solves: number;
  /** Turning the model into arrays or LP text (main thread). */
  buildMs: number;
  /** From posting the text to having the solution back (worker, including transfer). */
  solveMs: number;
}

export class HighsSolver implements LpSolver {
  private readonly workers: SolverWorker[] = [];
  private next = 0;
  readonly stats: SolverStats = { solves: 0, buildMs: 0, solveMs: 0 };

  constructor(
    private readonly threads = 1,
    private readonly options: SolveOptions = {},
  ) {}

  private pick(): SolverWorker {
    if (this.workers.length < this.threads) {
      const w = new SolverWorker();
      this.workers.push(w);
      return w;
    }
    let best = this.workers[0] as SolverWorker;
    for (const w of this.workers) if (w.pending.size < best.pending.size) best = w;
    return best;
  }

  /**
   * Solves `program`. The model goes to the worker as arrays (nothing to parse) unless `format`
   * asks for the LP text, which gives the same answer more slowly (the text is the reference).
   */
  async solve(
    program: LinearProgram,
    options: SolveOptions & { format?: "arrays" | "text" } = {},
  ): Promise<LpSolution> {
    const { format = "arrays", ...rest } = options;
    const merged = { ...this.options, ...rest };
    const id = this.next++;
    const t0 = performance.now();
    let request: SolveRequest;
    let transfer: ArrayBuffer[] = [];
    if (format === "text") {
      const text = program.toLpText();
      request = {
        id,
        kind: "text",
        text,
        variables: program.variableCount,
        rows: program.textRowCount,
        options: merged,
      };
    } else {
      const model = program.toArrays();
      transfer = [
        model.colCost,
        model.colLower,
        model.colUpper,
        model.rowLower,
        model.rowUpper,
        model.starts,
        model.indices,
        model.values,
      ].map((a) => a.buffer as ArrayBuffer);
      request = { id, kind: "arrays", model, options: merged };
    }
    const t1 = performance.now();
    const packed = await this.pick().post(request, transfer);
    const t2 = performance.now();
    this.stats.solves++;
    this.stats.buildMs += t1 - t0;
    this.stats.solveMs += t2 - t1;
    return {
      status: packed.status,
      solverStatus: packed.solverStatus,
      objective: packed.objective,
      values: packed.values,
      duals:
        format === "text" ? program.textRowDualsToConstraints(packed.rowDuals) : packed.rowDuals,
    };
  }

  /** Stops the workers (tests; a process exits without it). */
  async close(): Promise<void> {
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.terminate()));
  }
}
