import assert from "node:assert/strict";
import { after, test } from "node:test";
import fc from "fast-check";
import { HighsSolver } from "../runtime/highsSolver.js";
import { LinearProgram } from "./lp.js";

const solver = new HighsSolver();
after(() => solver.close());

test("lp: writes CPLEX LP text with bounds, equalities and two-sided rows", () => {
  const lp = new LinearProgram();
  const x = lp.addVariable({ lower: Number.NEGATIVE_INFINITY, upper: 10 }, 1);
  const y = lp.addVariable({ upper: 5 }, -2.5);
  const z = lp.addVariable({ lower: Number.NEGATIVE_INFINITY });
  lp.addConstraint({ vars: [x, y], coefs: [1, -1] }, { lower: -3, upper: 2 });
  lp.addEquality({ vars: [x, z, x], coefs: [1, 1, 2] }, 4);
  lp.addObjectiveConstant(0.5);
  assert.equal(
    lp.toLpText(),
    [
      "Minimize",
      " obj: + 1 x0 - 2.5 x1 + 0 x2 + 0.5",
      "Subject To",
      " c0: + 1 x0 - 1 x1 >= -3",
      " c1: + 1 x0 - 1 x1 <= 2",
      " c2: + 3 x0 + 1 x2 = 4",
      "Bounds",
      " -inf <= x0 <= 10",
      " 0 <= x1 <= 5",
      " x2 free",
      "End",
      "",
    ].join("\n"),
  );
  assert.equal(lp.textRowCount, 3);
  assert.throws(() => lp.addVariable({ lower: 2, upper: 1 }), /empty/);
  assert.throws(
    () => lp.addConstraint({ vars: [7], coefs: [1] }, { lower: 0 }),
    /unknown variable 7/,
  );
});

test("lp: a hand-solved program, through the arrays and through the LP text", async () => {
  // min -x - 2y  s.t.  x + y <= 4,  x + 3y <= 6,  x <= 5:  optimum x = 3, y = 1, value -5;
  // duals of the two rows: -0.5 and -0.5 (x+y and x+3y both bind).
  const lp = new LinearProgram();
  const x = lp.addVariable({ upper: 5 }, -1);
  const y = lp.addVariable({}, -2);
  lp.addConstraint({ vars: [x, y], coefs: [1, 1] }, { upper: 4 });
  lp.addConstraint({ vars: [x, y], coefs: [1, 3] }, { upper: 6 });
  for (const format of ["arrays", "text"] as const) {
    const s = await solver.solve(lp, { format });
    assert.equal(s.status, "optimal");
    assert.ok(Math.abs(s.objective + 5) < 1e-9, `${format}: ${s.objective}`);
    assert.ok(Math.abs((s.values[x] as number) - 3) < 1e-9);
    assert.ok(Math.abs((s.values[y] as number) - 1) < 1e-9);
    assert.ok(Math.abs((s.duals[0] as number) + 0.5) < 1e-9, `${format} dual ${s.duals[0]}`);
    assert.ok(Math.abs((s.duals[1] as number) + 0.5) < 1e-9);
  }
});

test("lp: infeasible and unbounded programs are reported as such", async () => {
  const bad = new LinearProgram();
  const z = bad.addVariable({ upper: 3 }, 1);
  bad.addConstraint({ vars: [z], coefs: [1] }, { lower: 5 });
  assert.equal((await solver.solve(bad)).status, "infeasible");
  const open = new LinearProgram();
  const w = open.addVariable({ lower: 0 }, -1);
  open.addConstraint({ vars: [w], coefs: [1] }, { lower: 1 });
  assert.notEqual((await solver.solve(open)).status, "optimal");
});

/** min c·x over a box and rows, by enumerating every vertex (brute force for tiny programs). */
function bruteForce(
  c: number[],
  box: [number, number][],
  rows: { a: number[]; lo: number; hi: number }[],
): number {
  const n = c.length;
  // Every hyperplane a vertex may lie on: bounds and both sides of each row.
  const planes: { a: number[]; b: number }[] = [];
  box.forEach(([lo, hi], i) => {
    const e = c.map((_, j) => (j === i ? 1 : 0));
    planes.push({ a: e, b: lo }, { a: e, b: hi });
  });
  for (const r of rows) planes.push({ a: r.a, b: r.lo }, { a: r.a, b: r.hi });
  let best = Number.POSITIVE_INFINITY;
  const choose = (start: number, picked: number[]) => {
    if (picked.length === n) {
      const x = solveSquare(
        picked.map((p) => (planes[p] as { a: number[] }).a),
        picked.map((p) => (planes[p] as { b: number }).b),
      );
      if (!x) return;
      const ok =
        box.every(
          ([lo, hi], i) => (x[i] as number) >= lo - 1e-9 && (x[i] as number) <= hi + 1e-9,
        ) &&
        rows.every((r) => {
          const v = r.a.reduce((s, a, i) => s + a * (x[i] as number), 0);
          return v >= r.lo - 1e-9 && v <= r.hi + 1e-9;
        });
      if (ok)
        best = Math.min(
          best,
          c.reduce((s, ci, i) => s + ci * (x[i] as number), 0),
        );
      return;
    }
    for (let p = start; p < planes.length; p++) choose(p + 1, [...picked, p]);
  };
  choose(0, []);
  return best;
}

/** Gaussian elimination with partial pivoting; undefined when singular. */
function solveSquare(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++)
      if (
        Math.abs((m[r] as number[])[col] as number) > Math.abs((m[piv] as number[])[col] as number)
      )
        piv = r;
    if (Math.abs((m[piv] as number[])[col] as number) < 1e-12) return undefined;
    [m[col], m[piv]] = [m[piv] as number[], m[col] as number[]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = ((m[r] as number[])[col] as number) / ((m[col] as number[])[col] as number);
      for (let k = col; k <= n; k++)
        (m[r] as number[])[k] =
          ((m[r] as number[])[k] as number) - f * ((m[col] as number[])[k] as number);
    }
  }
  return m.map((row, i) => (row[n] as number) / (row[i] as number));
}

test("lp: HiGHS finds the same optimum as vertex enumeration on small random programs", async () => {
  const small = fc.integer({ min: -5, max: 5 });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }).chain((n) =>
        fc.record({
          c: fc.array(small, { minLength: n, maxLength: n }),
          box: fc.array(fc.tuple(fc.integer({ min: -4, max: 0 }), fc.integer({ min: 0, max: 4 })), {
            minLength: n,
            maxLength: n,
          }),
          rows: fc.array(
            fc.record({
              a: fc.array(small, { minLength: n, maxLength: n }),
              lo: fc.integer({ min: -8, max: 0 }),
              span: fc.integer({ min: 0, max: 8 }),
            }),
            { maxLength: 3 },
          ),
        }),
      ),
      async ({ c, box, rows }) => {
        const lp = new LinearProgram();
        const vars = box.map(([lo, hi], i) => lp.addVariable({ lower: lo, upper: hi }, c[i]));
        const rs = rows.map((r) => ({ a: r.a, lo: r.lo, hi: r.lo + r.span }));
        for (const r of rs) lp.addConstraint({ vars, coefs: r.a }, { lower: r.lo, upper: r.hi });
        const expected = bruteForce(c, box, rs);
        const s = await solver.solve(lp);
        if (expected === Number.POSITIVE_INFINITY) {
          assert.equal(s.status, "infeasible");
          return;
        }
        assert.equal(s.status, "optimal");
        assert.ok(Math.abs(s.objective - expected) < 1e-7, `${s.objective} vs ${expected}`);
        assert.ok(lp.violation(s.values) < 1e-7);
        assert.ok(Math.abs(lp.objectiveAt(s.values) - expected) < 1e-7);
      },
    ),
    { numRuns: 150, seed: 7 },
  );
});
