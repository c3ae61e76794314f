/**
 * Solves one linear program with a loaded HiGHS module, from the model's arrays (the fast path:
 * nothing to parse) or from its CPLEX LP text, and packs the answer into typed arrays indexed
 * the way src/optimize/lp.ts numbers variables and constraints.
 */
import type { LpArrays, LpStatus, SolveOptions } from "../core/lp.js";

interface HighsModel {
  options: { set(values: Record<string, unknown>): unknown };
  run(): { modelStatus: number };
  getSolution(): { colValue: Float64Array; rowDual: Float64Array };
  getObjectiveValue(): number;
  dispose(): void;
}

export interface HighsModule {
  readonly infinity: number;
  createModel(data: unknown): HighsModel;
  solve(text: string, options: Record<string, unknown>): HighsTextResult;
}

interface HighsTextResult {
  Status: string;
  ObjectiveValue: number;
  Columns: Record<string, { Primal?: number }>;
  Rows: { Dual?: number }[];
}

export interface PackedSolution {
  status: LpStatus;
  solverStatus: string;
  objective: number;
  values: Float64Array;
  /** Duals per constraint (arrays) or per text row (text; folded by the caller). */
  rowDuals: Float64Array;
}

function highsOptions(options: SolveOptions): Record<string, unknown> {
  return {
    output_flag: false,
    presolve: options.presolve ? "on" : "off",
    solver: "simplex",
    ...(options.timeLimit === undefined ? {} : { time_limit: options.timeLimit }),
  };
}

/** HiGHS model status codes (HighsModelStatus) and their names. */
const MODEL_STATUS: Record<number, [LpStatus, string]> = {
  7: ["optimal", "Optimal"],
  8: ["infeasible", "Infeasible"],
  9: ["infeasible", "Primal infeasible or unbounded"],
  10: ["unbounded", "Unbounded"],
  13: ["other", "Time limit reached"],
  14: ["other", "Iteration limit reached"],
};

export function solveArrays(
  highs: HighsModule,
  lp: LpArrays,
  options: SolveOptions = {},
): PackedSolution {
  const inf = highs.infinity;
  const finite = (a: Float64Array) =>
    a.map((v) =>
      v === Number.POSITIVE_INFINITY ? inf : v === Number.NEGATIVE_INFINITY ? -inf : v,
    );
  const model = highs.createModel({
    numCols: lp.numCols,
    numRows: lp.numRows,
    offset: lp.offset,
    colCost: lp.colCost,
    colLower: finite(lp.colLower),
    colUpper: finite(lp.colUpper),
    rowLower: finite(lp.rowLower),
    rowUpper: finite(lp.rowUpper),
    matrix: {
      format: "csr",
      numRows: lp.numRows,
      numCols: lp.numCols,
      starts: lp.starts,
      indices: lp.indices,
      values: lp.values,
    },
  });
  try {
    model.options.set(highsOptions(options));
    const { modelStatus } = model.run();
    const [status, solverStatus] = MODEL_STATUS[modelStatus] ?? ["other", `status ${modelStatus}`];
    if (status !== "optimal")
      return {
        status,
        solverStatus,
        objective: Number.NaN,
        values: new Float64Array(lp.numCols),
        rowDuals: new Float64Array(lp.numRows),
      };
    const solution = model.getSolution();
    return {
      status,
      solverStatus,
      objective: model.getObjectiveValue(),
      values: Float64Array.from(solution.colValue),
      rowDuals: Float64Array.from(solution.rowDual),
    };
  } finally {
    model.dispose();
  }
}

const TEXT_STATUS: Record<string, LpStatus> = {
  Optimal: "optimal",
  Infeasible: "infeasible",
  Unbounded: "unbounded",
  "Primal infeasible or unbounded": "infeasible",
};

export function solveText(
  highs: HighsModule,
  text: string,
  variables: number,
  rows: number,
  options: SolveOptions = {},
): PackedSolution {
  const result = highs.solve(text, highsOptions(options));
  const values = new Float64Array(variables);
  const rowDuals = new Float64Array(rows);
  const status = TEXT_STATUS[result.Status] ?? "other";
  if (status === "optimal") {
    for (const name in result.Columns)
      values[Number(name.slice(1))] = result.Columns[name]?.Primal ?? 0;
    for (let r = 0; r < rows; r++) rowDuals[r] = result.Rows[r]?.Dual ?? 0;
  }
  return {
    status,
    solverStatus: result.Status,
    objective: result.ObjectiveValue,
    values,
    rowDuals,
  };
}
