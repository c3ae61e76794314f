/** Statistics shared by the domain: sums, medians and the quantiles of sorted values. */

/** The sum of the values. */
export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}

/** The median of values sorted in place (the array is reordered); NaN when empty. */
export function medianInPlace(values: number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  return n % 2
    ? (values[(n - 1) / 2] as number)
    : ((values[n / 2 - 1] as number) + (values[n / 2] as number)) / 2;
}

/** The median; NaN when empty. */
export function median(values: readonly number[]): number {
  return medianInPlace([...values]);
}

/** The value at share `q` (0 to 1) of sorted values: the floor(q·n)-th, clamped; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
