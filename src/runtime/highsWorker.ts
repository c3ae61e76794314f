/**
 * Worker thread hosting HiGHS (WebAssembly). Each message is one linear program, as arrays or
 * as CPLEX LP text; the answer carries the solution as transferable arrays. If the solver
 * aborts (the WebAssembly instance is then unusable), the error goes back to the caller and the
 * next request loads a fresh instance.
 */
import { parentPort } from "node:worker_threads";
import highsLoader from "highs";
import type { LpArrays, SolveOptions } from "../core/lp.js";
import { type HighsModule, solveArrays, solveText } from "./highsSolve.js";

export type SolveRequest =
  | { id: number; kind: "arrays"; model: LpArrays; options: SolveOptions }
  | {
      id: number;
      kind: "text";
      text: string;
      variables: number;
      rows: number;
      options: SolveOptions;
    };

// The package's types describe its CommonJS build; the ESM build's default export is the loader.
const loadHighs = highsLoader as unknown as () => Promise<HighsModule>;
let highs: Promise<HighsModule> | undefined;

parentPort?.on("message", async (req: SolveRequest) => {
  try {
    highs ??= loadHighs();
    const h = await highs;
    const solution =
      req.kind === "arrays"
        ? solveArrays(h, req.model, req.options)
        : solveText(h, req.text, req.variables, req.rows, req.options);
    parentPort?.postMessage({ id: req.id, solution }, [
      solution.values.buffer as ArrayBuffer,
      solution.rowDuals.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    highs = undefined;
    parentPort?.postMessage({ id: req.id, error: String(error) });
  }
});
