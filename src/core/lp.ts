/**
 * A small typed builder for linear programs: minimise c·x + offset subject to
 * rowLower ≤ A·x ≤ rowUpper and lower ≤ x ≤ upper.
 *
 * Variables and constraints are numbered as they are added. The model is kept as arrays (the
 * constraint matrix row by row), which a solver can take directly, and it writes itself as CPLEX
 * LP text, the format HiGHS and most solvers read, naming variables `x<i>` and rows `c<j>` so a
 * solution maps back to indices without a name table. The LP format has no ranged rows: a
 * constraint with two different finite sides becomes two text rows.
 */
import { invariant } from "./errors.js";

export interface Bounds {
  readonly lower?: number;
  readonly upper?: number;
}

/** A linear term list: parallel arrays of variable indices and coefficients. */
export interface LinearTerms {
  readonly vars: readonly number[];
  readonly coefs: readonly number[];
}

export type LpStatus = "optimal" | "infeasible" | "unbounded" | "other";

export interface LpSolution {
  readonly status: LpStatus;
  /** The solver's own status text, for messages. */
  readonly solverStatus: string;
  readonly objective: number;
  /** Primal value of each variable, by index. */
  readonly values: Float64Array;
  /** Dual value (shadow price) of each constraint, by index. */
  readonly duals: Float64Array;
}

export interface SolveOptions {
  /** Solver presolve; off is faster on small, well-scaled models, on helps large ones. */
  readonly presolve?: boolean;
  /** Wall-clock limit in seconds. */
  readonly timeLimit?: number;
}

/** Something that solves linear programs; the HiGHS worker in src/runtime is the real one. */
export interface LpSolver {
  solve(program: LinearProgram, options?: SolveOptions): Promise<LpSolution>;
}

/** The model as flat arrays, constraint matrix in compressed sparse rows. */
export interface LpArrays {
  readonly numCols: number;
  readonly numRows: number;
  readonly offset: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  readonly starts: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** Writes a number the LP reader parses back exactly (shortest round-trip form). */
function num(x: number): string {
  return String(x);
}

function checkBounds(lower: number, upper: number, what: string): void {
  invariant(lower <= upper, `${what} bounds [${lower}, ${upper}] are empty or not numbers`);
}

export class LinearProgram {
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly cost: number[] = [];
  private readonly rowLo: number[] = [];
  private readonly rowHi: number[] = [];
  private readonly starts: number[] = [0];
  private readonly cols: number[] = [];
  private readonly coefs: number[] = [];
  private offset = 0;
  /** Where each variable last entered the matrix (to merge repeats within a row). */
  private readonly slot: number[] = [];

  get variableCount(): number {
    return this.lower.length;
  }

  get constraintCount(): number {
    return this.rowLo.length;
  }

  /** Rows of the LP text: a constraint with two different finite sides is two rows. */
  get textRowCount(): number {
    let r = 0;
    for (let j = 0; j < this.rowLo.length; j++) {
      const lo = this.rowLo[j] as number;
      const hi = this.rowHi[j] as number;
      r +=
        lo === hi
          ? 1
          : (lo > Number.NEGATIVE_INFINITY ? 1 : 0) + (hi < Number.POSITIVE_INFINITY ? 1 : 0);
    }
    return r;
  }

  /** Adds a variable, by default in [0, +inf) with no cost; returns its index. */
  addVariable(bounds: Bounds = {}, cost = 0): number {
    const lower = bounds.lower ?? 0;
    const upper = bounds.upper ?? Number.POSITIVE_INFINITY;
    checkBounds(lower, upper, "variable");
    invariant(Number.isFinite(cost), `variable cost is ${cost}`);
    this.lower.push(lower);
    this.upper.push(upper);
    this.cost.push(cost);
    return this.lower.length - 1;
  }

  /** Adds `coef` to the objective coefficient of variable `v`. */
  addCost(v: number, coef: number): void {
    this.cost[v] = (this.cost[v] as number) + coef;
  }

  /** Adds a constant to the objective. */
  addObjectiveConstant(value: number): void {
    this.offset += value;
  }

  /** Adds `lower <= terms <= upper`; returns the constraint's index. */
  addConstraint(terms: LinearTerms, bounds: Bounds): number {
    const lower = bounds.lower ?? Number.NEGATIVE_INFINITY;
    const upper = bounds.upper ?? Number.POSITIVE_INFINITY;
    checkBounds(lower, upper, "constraint");
    const { vars, coefs } = terms;
    invariant(vars.length === coefs.length, "terms: vars and coefs differ in length");
    const first = this.cols.length;
    for (let k = 0; k < vars.length; k++) {
      const v = vars[k] as number;
      const c = coefs[k] as number;
      invariant(v >= 0 && v < this.lower.length, `unknown variable ${v}`);
      invariant(Number.isFinite(c), `coefficient of x${v} is ${c}`);
      if (c === 0) continue;
      // A variable named twice in one row: its coefficients add up.
      const at = this.slot[v] ?? -1;
      if (at >= first && this.cols[at] === v) this.coefs[at] = (this.coefs[at] as number) + c;
      else {
        this.slot[v] = this.cols.length;
        this.cols.push(v);
        this.coefs.push(c);
      }
    }
    this.starts.push(this.cols.length);
    this.rowLo.push(lower);
    this.rowHi.push(upper);
    return this.rowLo.length - 1;
  }

  /** Adds `terms = value`. */
  addEquality(terms: LinearTerms, value: number): number {
    return this.addConstraint(terms, { lower: value, upper: value });
  }

  /** The model as arrays (copies), for solvers that take them directly. */
  toArrays(): LpArrays {
    return {
      numCols: this.lower.length,
      numRows: this.rowLo.length,
      offset: this.offset,
      colCost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.lower),
      colUpper: Float64Array.from(this.upper),
      rowLower: Float64Array.from(this.rowLo),
      rowUpper: Float64Array.from(this.rowHi),
      starts: Int32Array.from(this.starts),
      indices: Int32Array.from(this.cols),
      values: Float64Array.from(this.coefs),
    };
  }

  private expression(row: number): string {
    let s = "";
    const end = this.starts[row + 1] as number;
    for (let q = this.starts[row] as number; q < end; q++) {
      const c = this.coefs[q] as number;
      s += c < 0 ? ` - ${num(-c)} x${this.cols[q]}` : ` + ${num(c)} x${this.cols[q]}`;
    }
    // A row whose terms all vanished still needs a left-hand side the reader accepts.
    return s === "" ? " 0 x0" : s;
  }

  /** The model as CPLEX LP text. Every variable appears in the objective so none is dropped. */
  toLpText(): string {
    const n = this.lower.length;
    invariant(n !== 0, "a linear program needs at least one variable");
    const parts: string[] = ["Minimize\n obj:"];
    for (let v = 0; v < n; v++) {
      const c = this.cost[v] as number;
      parts.push(c < 0 ? ` - ${num(-c)} x${v}` : ` + ${num(c)} x${v}`);
    }
    if (this.offset !== 0)
      parts.push(this.offset < 0 ? ` - ${num(-this.offset)}` : ` + ${num(this.offset)}`);
    parts.push("\nSubject To\n");
    let r = 0;
    for (let j = 0; j < this.rowLo.length; j++) {
      const lo = this.rowLo[j] as number;
      const hi = this.rowHi[j] as number;
      const expr = this.expression(j);
      if (lo === hi) parts.push(` c${r++}:${expr} = ${num(lo)}\n`);
      else {
        if (lo !== Number.NEGATIVE_INFINITY) parts.push(` c${r++}:${expr} >= ${num(lo)}\n`);
        if (hi !== Number.POSITIVE_INFINITY) parts.push(` c${r++}:${expr} <= ${num(hi)}\n`);
      }
    }
    parts.push("Bounds\n");
    for (let v = 0; v < n; v++) {
      const lo = this.lower[v] as number;
      const hi = this.upper[v] as number;
      if (lo === 0 && hi === Number.POSITIVE_INFINITY) continue;
      if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY)
        parts.push(` x${v} free\n`);
      else if (lo === hi) parts.push(` x${v} = ${num(lo)}\n`);
      else {
        const l = lo === Number.NEGATIVE_INFINITY ? "-inf" : num(lo);
        const u = hi === Number.POSITIVE_INFINITY ? "+inf" : num(hi);
        parts.push(` ${l} <= x${v} <= ${u}\n`);
      }
    }
    parts.push("End\n");
    return parts.join("");
  }

  /** Folds per-text-row duals (see `toLpText`) into one dual per constraint. */
  textRowDualsToConstraints(rowDuals: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.rowLo.length);
    let r = 0;
    for (let j = 0; j < out.length; j++) {
      const lo = this.rowLo[j] as number;
      const hi = this.rowHi[j] as number;
      const count =
        lo === hi
          ? 1
          : (lo !== Number.NEGATIVE_INFINITY ? 1 : 0) + (hi !== Number.POSITIVE_INFINITY ? 1 : 0);
      let d = 0;
      for (let k = 0; k < count; k++) d += rowDuals[r++] as number;
      out[j] = d;
    }
    return out;
  }

  /** The objective value of a point, computed here (not trusted from the solver). */
  objectiveAt(values: ArrayLike<number>): number {
    let z = this.offset;
    for (let v = 0; v < this.cost.length; v++)
      z += (this.cost[v] as number) * (values[v] as number);
    return z;
  }

  /** The largest violation of any bound or constraint by a point (0 when feasible). */
  violation(values: ArrayLike<number>): number {
    let worst = 0;
    for (let v = 0; v < this.lower.length; v++) {
      const x = values[v] as number;
      worst = Math.max(worst, (this.lower[v] as number) - x, x - (this.upper[v] as number));
    }
    for (let j = 0; j < this.rowLo.length; j++) {
      let ax = 0;
      for (let q = this.starts[j] as number; q < (this.starts[j + 1] as number); q++)
        ax += (this.coefs[q] as number) * (values[this.cols[q] as number] as number);
      worst = Math.max(worst, (this.rowLo[j] as number) - ax, ax - (this.rowHi[j] as number));
    }
    return worst;
  }
}
