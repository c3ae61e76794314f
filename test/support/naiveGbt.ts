/**
 * The naive twin of fitGbt (src/forecast/learners.ts): the same model, written the plain way.
 * Every node's best split is found by scanning its rows for every feature and bin (no
 * histograms, no subtraction of the smaller child's from the parent's), children are filtered
 * into new arrays (no in-place partition), leaves take the median by sorting (no quickselect),
 * and every row is walked down every tree for the next round's predictions. On targets whose
 * sums are exact (whole numbers), the two must agree to the last bit.
 */
import type { GbtOptions, Regressor } from "../../src/forecast/learners.js";

interface Node {
  feature: number;
  threshold: number;
  left: Node | null;
  right: Node | null;
  value: number;
}

export function naiveGbt(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  options: GbtOptions = {},
): Regressor {
  const rounds = options.rounds ?? 150;
  const depth = options.depth ?? 4;
  const rate = options.learningRate ?? 0.1;
  const minLeaf = options.minLeaf ?? 20;
  const lambda = options.lambda ?? 1;
  const nBins = options.bins ?? 32;
  const l1 = options.loss === "l1";
  const share = options.subsample ?? 1;
  const m = rows.length;
  const p = m === 0 ? 0 : (rows[0] as ArrayLike<number>).length;

  // Bins: the same quantile edges; a value's bin is the number of edges below it.
  const edges: number[][] = [];
  for (let j = 0; j < p; j++) {
    const vals = Array.from(rows, (r) => r[j] as number)
      .filter((v) => !Number.isNaN(v))
      .sort((a, b) => a - b);
    const e: number[] = [];
    for (let k = 1; k < nBins; k++) {
      const v = vals[Math.floor((k * vals.length) / nBins)];
      if (v !== undefined && (e.length === 0 || v > (e[e.length - 1] as number))) e.push(v);
    }
    edges.push(e);
  }
  const binOf = (j: number, v: number) =>
    Number.isNaN(v) ? nBins : (edges[j] as number[]).filter((edge) => v > edge).length;
  const binned = rows.map((r) => Array.from({ length: p }, (_, j) => binOf(j, r[j] as number)));

  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  let base = 0;
  for (let i = 0; i < m; i++) base += y[i] as number;
  base /= Math.max(1, m);
  if (l1 && m > 0)
    base = sorted(Array.from({ length: m }, (_, i) => y[i] as number))[m >> 1] as number;
  const pred = Array.from({ length: m }, () => base);
  const trees: Node[] = [];
  let seed = 20_140_101;

  const walk = (tree: Node, bins: readonly number[]): number => {
    let n = tree;
    while (n.left && n.right) n = (bins[n.feature] as number) <= n.threshold ? n.left : n.right;
    return n.value;
  };

  for (let r = 0; r < rounds; r++) {
    const raw = pred.map((q, i) => (y[i] as number) - q);
    const g = raw.map((e) => (l1 ? Math.sign(e) : e));
    const grow = (idx: number[], level: number): Node => {
      let sum = 0;
      for (const i of idx) sum += g[i] as number;
      const leaf = (): Node => ({
        feature: -1,
        threshold: 0,
        left: null,
        right: null,
        value:
          idx.length === 0
            ? 0
            : l1
              ? rate * (sorted(idx.map((i) => raw[i] as number))[idx.length >> 1] as number)
              : (rate * sum) / (idx.length + lambda),
      });
      if (level >= depth || idx.length < 2 * minLeaf) return leaf();
      const parentScore = (sum * sum) / (idx.length + lambda);
      let bestGain = 1e-12;
      let bestF = -1;
      let bestT = 0;
      for (let j = 0; j < p; j++)
        for (let t = 0; t < nBins; t++) {
          const left = idx.filter((i) => ((binned[i] as number[])[j] as number) <= t);
          const nl = left.length;
          const nr = idx.length - nl;
          if (nl < minLeaf || nr < minLeaf) continue;
          let gl = 0;
          for (const i of left) gl += g[i] as number;
          const gr = sum - gl;
          const gain = (gl * gl) / (nl + lambda) + (gr * gr) / (nr + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = j;
            bestT = t;
          }
        }
      if (bestF < 0) return leaf();
      const goesLeft = (i: number) => ((binned[i] as number[])[bestF] as number) <= bestT;
      return {
        feature: bestF,
        threshold: bestT,
        left: grow(idx.filter(goesLeft), level + 1),
        right: grow(
          idx.filter((i) => !goesLeft(i)),
          level + 1,
        ),
        value: 0,
      };
    };
    const chosen: number[] = [];
    for (let i = 0; i < m; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      if (seed / 4294967296 < share) chosen.push(i);
    }
    const tree = grow(chosen, 0);
    trees.push(tree);
    for (let i = 0; i < m; i++) pred[i] = (pred[i] as number) + walk(tree, binned[i] as number[]);
  }
  return {
    predict(row) {
      const bins = Array.from({ length: p }, (_, j) => binOf(j, row[j] as number));
      let s = base;
      for (const tree of trees) s += walk(tree, bins);
      return s;
    },
  };
}
