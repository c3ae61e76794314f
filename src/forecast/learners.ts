/**
 * Two learners for forecasting, written here (small, dependency-free, deterministic):
 *
 * - ridge regression: least squares with an L2 penalty on standardised features, solved in
 *   closed form by Cholesky (Hoerl & Kennard 1970);
 * - gradient-boosted regression trees on the squared loss (Friedman 2001), with the features
 *   cut into at most 32 quantile bins so that every split is a scan of a histogram (the LightGBM
 *   idea, Ke et al. 2017), depth-limited trees, shrinkage and an L2 penalty on leaf values.
 *
 * A row is a Float64Array of features; NaN features are allowed in the trees (sent to their own
 * bin) and replaced by the training mean in ridge.
 */

export interface Regressor {
  predict(row: ArrayLike<number>): number;
}

/** The mean of the values that are numbers (NaN when none). */
export function meanOf(xs: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const x of xs)
    if (!Number.isNaN(x)) {
      sum += x;
      n++;
    }
  return n > 0 ? sum / n : Number.NaN;
}

/** Solves the symmetric positive definite system A x = b in place (Cholesky). */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / (l[j * n + j] as number);
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = sum / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/** Ridge regression; `lambda` is relative to the number of rows. */
export function fitRidge(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  lambda = 1e-2,
): Regressor {
  const m = rows.length;
  const p = m === 0 ? 0 : (rows[0] as ArrayLike<number>).length;
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  const count = new Float64Array(p);
  for (const r of rows)
    for (let j = 0; j < p; j++) {
      const v = r[j] as number;
      if (Number.isNaN(v)) continue;
      mean[j] = (mean[j] as number) + v;
      count[j] = (count[j] as number) + 1;
    }
  for (let j = 0; j < p; j++)
    mean[j] = (count[j] as number) > 0 ? (mean[j] as number) / (count[j] as number) : 0;
  for (const r of rows)
    for (let j = 0; j < p; j++) {
      const v = r[j] as number;
      if (!Number.isNaN(v)) sd[j] = (sd[j] as number) + (v - (mean[j] as number)) ** 2;
    }
  for (let j = 0; j < p; j++)
    sd[j] = Math.sqrt((sd[j] as number) / Math.max(1, count[j] as number)) || 1;
  let yMean = 0;
  for (let i = 0; i < m; i++) yMean += y[i] as number;
  yMean /= Math.max(1, m);
  const z = (r: ArrayLike<number>, j: number) => {
    const v = r[j] as number;
    return Number.isNaN(v) ? 0 : (v - (mean[j] as number)) / (sd[j] as number);
  };
  // Sums of products of the raw values (a missing value stands at its mean), accumulated over
  // the non-zeros only (hour indicators and their interactions are mostly zero), then centred
  // and scaled: sum x~j x~k = (S_jk - m mu_j mu_k) / (sd_j sd_k).
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  const vr = new Float64Array(p);
  const nz = new Int32Array(p);
  for (let i = 0; i < m; i++) {
    const r = rows[i] as ArrayLike<number>;
    let count = 0;
    for (let j = 0; j < p; j++) {
      let v = r[j] as number;
      if (Number.isNaN(v)) v = mean[j] as number;
      vr[j] = v;
      if (v !== 0) nz[count++] = j;
    }
    const yi = y[i] as number;
    for (let u = 0; u < count; u++) {
      const j = nz[u] as number;
      const vj = vr[j] as number;
      b[j] = (b[j] as number) + vj * yi;
      for (let w = 0; w <= u; w++) {
        const k = nz[w] as number;
        a[j * p + k] = (a[j * p + k] as number) + vj * (vr[k] as number);
      }
    }
  }
  for (let j = 0; j < p; j++) {
    const mj = mean[j] as number;
    const sj = sd[j] as number;
    b[j] = ((b[j] as number) - m * mj * yMean) / sj;
    for (let k = 0; k <= j; k++)
      a[j * p + k] =
        ((a[j * p + k] as number) - m * mj * (mean[k] as number)) / (sj * (sd[k] as number));
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < j; k++) a[k * p + j] = a[j * p + k] as number;
    a[j * p + j] = (a[j * p + j] as number) + lambda * m;
  }
  const w = p > 0 ? choleskySolve(a, b, p) : new Float64Array(0);
  return {
    predict(row) {
      let s = yMean;
      for (let j = 0; j < p; j++) s += (w[j] as number) * z(row, j);
      return s;
    },
  };
}

/** The k-th smallest of the first n values of `a` (Hoare's quickselect; reorders `a`). */
export function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}

export interface GbtOptions {
  readonly rounds?: number;
  readonly depth?: number;
  readonly learningRate?: number;
  readonly minLeaf?: number;
  readonly lambda?: number;
  readonly bins?: number;
  /**
   * Squared loss (the mean) or absolute loss (the median: splits on the signs of the errors,
   * leaves at their median; Friedman 2001, LAD_TreeBoost).
   */
  readonly loss?: "l2" | "l1";
  /** Share of rows each tree is grown on, drawn afresh per tree (Friedman 2002); default 1. */
  readonly subsample?: number;
}

interface TreeNode {
  /** Feature and bin threshold (go left when bin <= threshold); -1 for a leaf. */
  feature: number;
  threshold: number;
  left: number;
  right: number;
  value: number;
}

/** Quantile bins of every feature: a value's bin is the number of edges below it; NaN is bin `nBins`. */
function quantileBins(rows: readonly ArrayLike<number>[], nBins: number) {
  const p = rows.length === 0 ? 0 : (rows[0] as ArrayLike<number>).length;
  const edges: Float64Array[] = [];
  for (let j = 0; j < p; j++) {
    const vals = Float64Array.from(rows, (r) => r[j] as number)
      .filter((v) => !Number.isNaN(v))
      .sort();
    const e: number[] = [];
    for (let k = 1; k < nBins; k++) {
      const v = vals[Math.floor((k * vals.length) / nBins)];
      if (v !== undefined && (e.length === 0 || v > (e[e.length - 1] as number))) e.push(v);
    }
    edges.push(Float64Array.from(e));
  }
  const binOf = (j: number, v: number): number => {
    if (Number.isNaN(v)) return nBins;
    const e = edges[j] as Float64Array;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= (e[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return { p, binOf };
}

/** What growing one tree reads and updates; `pred`, `inTree` and `scratch` change as it grows. */
interface Grower {
  readonly p: number;
  readonly nBins: number;
  /** Row-major bins, rows x p. */
  readonly binned: Uint8Array;
  /** The gradient per row (the error, or its sign for the absolute loss), and the raw error. */
  readonly residual: Float64Array;
  readonly raw: Float64Array;
  readonly pred: Float64Array;
  readonly inTree: Uint8Array;
  readonly scratch: Float64Array;
  readonly depth: number;
  readonly rate: number;
  readonly minLeaf: number;
  readonly lambda: number;
  readonly l1: boolean;
}

/** Gradient sums and counts per feature and bin over `idx`, in one pass over the rows. */
function histogram(g: Grower, idx: Int32Array): Float64Array {
  const { p, binned, residual } = g;
  const B = g.nBins + 1;
  const h = new Float64Array(p * B * 2);
  for (let u = 0; u < idx.length; u++) {
    const i = idx[u] as number;
    const grad = residual[i] as number;
    const base = i * p;
    for (let j = 0; j < p; j++) {
      const k = (j * B + (binned[base + j] as number)) * 2;
      h[k] = (h[k] as number) + grad;
      h[k + 1] = (h[k + 1] as number) + 1;
    }
  }
  return h;
}

/** The best split of a node: the feature and bin with the largest gain, or feature -1. */
function bestSplit(
  g: Grower,
  h: Float64Array,
  sum: number,
  count: number,
): { feature: number; threshold: number } {
  const B = g.nBins + 1;
  const parentScore = (sum * sum) / (count + g.lambda);
  let bestGain = 1e-12;
  let feature = -1;
  let threshold = 0;
  for (let j = 0; j < g.p; j++) {
    let gl = 0;
    let nl = 0;
    for (let t = 0; t < g.nBins; t++) {
      const k = (j * B + t) * 2;
      gl += h[k] as number;
      nl += h[k + 1] as number;
      const nr = count - nl;
      if (nl < g.minLeaf || nr < g.minLeaf) continue;
      const gr = sum - gl;
      const gain = (gl * gl) / (nl + g.lambda) + (gr * gr) / (nr + g.lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        feature = j;
        threshold = t;
      }
    }
  }
  return { feature, threshold };
}

/** Grows a node over the rows `idx` (reordered in place) into `nodes`; returns its index. */
function grow(
  g: Grower,
  nodes: TreeNode[],
  idx: Int32Array,
  level: number,
  hist: Float64Array | null,
): number {
  const B = g.nBins + 1;
  let sum = 0;
  if (hist && g.l1) {
    // Signs sum exactly in any order: read the node's total off its first feature's bins.
    for (let t = 0; t < B; t++) sum += hist[t * 2] as number;
  } else for (let u = 0; u < idx.length; u++) sum += g.residual[idx[u] as number] as number;
  const node: TreeNode = { feature: -1, threshold: 0, left: -1, right: -1, value: 0 };
  const at = nodes.length;
  nodes.push(node);
  // A leaf's value: the (shrunk) mean error, or for the absolute loss the median error (0 for
  // a tree grown on no rows, which a small subsample can draw). Its rows' predictions move by
  // it now; rows left out of this tree are walked down it after.
  const leaf = () => {
    if (idx.length === 0) node.value = 0;
    else if (g.l1) {
      for (let k = 0; k < idx.length; k++) g.scratch[k] = g.raw[idx[k] as number] as number;
      node.value = g.rate * select(g.scratch, idx.length, idx.length >> 1);
    } else node.value = (g.rate * sum) / (idx.length + g.lambda);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k] as number;
      g.pred[i] = (g.pred[i] as number) + node.value;
      g.inTree[i] = 1;
    }
    return at;
  };
  if (level >= g.depth || idx.length < 2 * g.minLeaf) return leaf();
  const h = hist ?? histogram(g, idx);
  const split = bestSplit(g, h, sum, idx.length);
  if (split.feature < 0) return leaf();
  // Partition the rows in place: the left child's first, the right child's after.
  const { p, binned } = g;
  let a = 0;
  let b = idx.length - 1;
  while (a <= b) {
    if ((binned[(idx[a] as number) * p + split.feature] as number) <= split.threshold) a++;
    else {
      const t = idx[a] as number;
      idx[a] = idx[b] as number;
      idx[b] = t;
      b--;
    }
  }
  node.feature = split.feature;
  node.threshold = split.threshold;
  // The smaller child's histogram is counted, the larger one's is the parent's minus it.
  const li = idx.subarray(0, a);
  const ri = idx.subarray(a);
  let lh: Float64Array | null = null;
  let rh: Float64Array | null = null;
  if (level + 1 < g.depth) {
    const small = histogram(g, li.length <= ri.length ? li : ri);
    const large = new Float64Array(h.length);
    for (let k = 0; k < h.length; k++) large[k] = (h[k] as number) - (small[k] as number);
    [lh, rh] = li.length <= ri.length ? [small, large] : [large, small];
  }
  node.left = grow(g, nodes, li, level + 1, lh);
  node.right = grow(g, nodes, ri, level + 1, rh);
  return at;
}

/** The value of the leaf that bins `bins` (read through `binAt`) fall into. */
function walk(nodes: readonly TreeNode[], binAt: (feature: number) => number): number {
  let k = 0;
  for (;;) {
    const n = nodes[k] as TreeNode;
    if (n.feature < 0) return n.value;
    k = binAt(n.feature) <= n.threshold ? n.left : n.right;
  }
}

/**
 * Gradient-boosted regression trees (histogram splits, Friedman 2001) on the squared or the
 * absolute loss. The naive twin in test/support/naiveGbt.ts gives the same forecasts.
 */
export function fitGbt(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  options: GbtOptions = {},
): Regressor {
  const nBins = options.bins ?? 32;
  const l1 = options.loss === "l1";
  const share = options.subsample ?? 1;
  const m = rows.length;
  const { p, binOf } = quantileBins(rows, nBins);
  const binned = new Uint8Array(m * p);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < p; j++)
      binned[i * p + j] = binOf(j, (rows[i] as ArrayLike<number>)[j] as number);
  let base = 0;
  for (let i = 0; i < m; i++) base += y[i] as number;
  base /= Math.max(1, m);
  if (l1 && m > 0)
    base = Float64Array.from({ length: m }, (_, i) => y[i] as number).sort()[m >> 1] as number;
  const g: Grower = {
    p,
    nBins,
    binned,
    residual: new Float64Array(m),
    raw: new Float64Array(m),
    pred: new Float64Array(m).fill(base),
    inTree: new Uint8Array(m),
    scratch: new Float64Array(m),
    depth: options.depth ?? 4,
    rate: options.learningRate ?? 0.1,
    minLeaf: options.minLeaf ?? 20,
    lambda: options.lambda ?? 1,
    l1,
  };
  const trees: TreeNode[][] = [];
  let seed = 20_140_101;
  const rounds = options.rounds ?? 150;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < m; i++) {
      const e = (y[i] as number) - (g.pred[i] as number);
      g.raw[i] = e;
      g.residual[i] = l1 ? Math.sign(e) : e;
    }
    // The rows this tree is grown on: all, or a fresh share drawn by a fixed-seed generator.
    const chosen: number[] = [];
    for (let i = 0; i < m; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      if (seed / 4294967296 < share) chosen.push(i);
    }
    g.inTree.fill(0);
    const nodes: TreeNode[] = [];
    grow(g, nodes, Int32Array.from(chosen), 0, null);
    trees.push(nodes);
    for (let i = 0; i < m; i++)
      if (g.inTree[i] !== 1)
        g.pred[i] = (g.pred[i] as number) + walk(nodes, (f) => binned[i * p + f] as number);
  }
  return {
    predict(row) {
      let s = base;
      const bins = new Uint8Array(p);
      for (let j = 0; j < p; j++) bins[j] = binOf(j, row[j] as number);
      for (const nodes of trees) s += walk(nodes, (f) => bins[f] as number);
      return s;
    },
  };
}
