/**
 * Exact integer shares: splitting whole Wh among orders in proportion to weights, so that the
 * parts always add up to the total (largest remainder method, Hamilton), with deterministic
 * tie-breaking by a key that does not depend on prices.
 */
import { invariant } from "../core/errors.js";

function floorDivRem(a: number, b: number, den: number): [number, number] {
  const p = a * b;
  if (Number.isSafeInteger(p)) {
    const q = Math.floor(p / den);
    return [q, p - q * den];
  }
  const big = BigInt(a) * BigInt(b);
  const d = BigInt(den);
  return [Number(big / d), Number(big % d)];
}

/**
 * Splits `total` into integers proportional to `weights` (non-negative integers with a positive
 * sum). Each share is the floor of its quota, and the units left over go to the largest
 * remainders, ties to the smaller `keys[i]`.
 */
export function apportion(
  total: number,
  weights: readonly number[],
  keys: readonly string[],
): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  invariant(sum > 0 || total === 0, "apportion: weights sum to zero");
  if (total === 0) return weights.map(() => 0);
  const shares: number[] = new Array(weights.length);
  const rems: number[] = new Array(weights.length);
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const [q, r] = floorDivRem(total, weights[i] as number, sum);
    shares[i] = q;
    rems[i] = r;
    given += q;
  }
  const left = total - given;
  if (left > 0) {
    const order = weights.map((_, i) => i);
    order.sort((a, b) => {
      const d = (rems[b] as number) - (rems[a] as number);
      if (d !== 0) return d;
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    for (let n = 0; n < left; n++)
      shares[order[n] as number] = (shares[order[n] as number] as number) + 1;
  }
  return shares;
}

/**
 * An integer matrix `x[i][j]` with row sums `rows[i]` and column sums `cols[j]` (equal totals),
 * each cell within one unit of `rows[i] * cols[j] / total`: the proportional (pro-rata) pairing
 * of buyers and sellers. Cells with fractional parts are rounded up largest-first (ties by row,
 * then column), and any units still unplaced go north-west corner first.
 */
export function proRataMatrix(rows: readonly number[], cols: readonly number[]): number[][] {
  const total = rows.reduce((a, b) => a + b, 0);
  invariant(
    total === cols.reduce((a, b) => a + b, 0),
    "proRataMatrix: row and column totals differ",
  );
  const x = rows.map(() => new Array<number>(cols.length).fill(0));
  if (total === 0) return x;
  const rowLeft = [...rows];
  const colLeft = [...cols];
  const fracs: { i: number; j: number; rem: number }[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      const [q, r] = floorDivRem(rows[i] as number, cols[j] as number, total);
      (x[i] as number[])[j] = q;
      rowLeft[i] = (rowLeft[i] as number) - q;
      colLeft[j] = (colLeft[j] as number) - q;
      if (r > 0) fracs.push({ i, j, rem: r });
    }
  }
  fracs.sort((a, b) => b.rem - a.rem || a.i - b.i || a.j - b.j);
  for (const f of fracs) {
    if ((rowLeft[f.i] as number) > 0 && (colLeft[f.j] as number) > 0) {
      (x[f.i] as number[])[f.j] = ((x[f.i] as number[])[f.j] as number) + 1;
      rowLeft[f.i] = (rowLeft[f.i] as number) - 1;
      colLeft[f.j] = (colLeft[f.j] as number) - 1;
    }
  }
  let i = 0;
  let j = 0;
  while (i < rows.length && j < cols.length) {
    const q = Math.min(rowLeft[i] as number, colLeft[j] as number);
    if (q > 0) {
      (x[i] as number[])[j] = ((x[i] as number[])[j] as number) + q;
      rowLeft[i] = (rowLeft[i] as number) - q;
      colLeft[j] = (colLeft[j] as number) - q;
    }
    if (rowLeft[i] === 0) i++;
    else j++;
  }
  return x;
}
