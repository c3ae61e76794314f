/**
 * A small neural network for forecasting: a multilayer perceptron (two hidden layers of 16 and 8
 * ReLU units) trained with TensorFlow.js (Adam, Kingma & Ba 2015) on the absolute loss, so that, like
 * the trees, it forecasts the median. Features and target are standardised on the training rows;
 * a missing feature is set to its training mean. Training is deterministic: seeded initial
 * weights, a seeded order of the rows, the CPU backend. Once trained, the weights are copied out
 * and forecasts are computed here in plain arithmetic (one row at a time is what the backtest
 * asks for, and a tensor per row would cost more than the network).
 */
import { createRequire } from "node:module";
import type * as TF from "@tensorflow/tfjs";
import { InputError } from "../core/errors.js";
import { meanOf, type Regressor } from "./learners.js";

export interface MlpOptions {
  readonly hidden?: readonly [number, number];
  readonly epochs?: number;
  readonly batch?: number;
  readonly learningRate?: number;
  readonly seed?: number;
}

let loaded: typeof TF | null = null;

const require = createRequire(import.meta.url);

/**
 * True when TensorFlow.js can be loaded. It is an optional peer dependency (272 MB of the
 * 321 MB an install would take), installed with the project's own development set-up or by
 * `npm install @tensorflow/tfjs`.
 */
export function mlpAvailable(): boolean {
  try {
    require.resolve("@tensorflow/tfjs");
    return true;
  } catch {
    return false;
  }
}

/**
 * TensorFlow.js on its CPU backend, loaded on first use (every command would otherwise pay its
 * start-up), without the notice it prints in Node about its native backend. The backend's set-up
 * is synchronous (the promise only reports it), so fitting can be too.
 */
function tensorflow(): typeof TF {
  if (loaded) return loaded;
  if (!mlpAvailable())
    throw new InputError(
      "E_FORECAST_MLP_UNAVAILABLE",
      "the mlp model needs TensorFlow.js, which is not installed: npm install @tensorflow/tfjs (about 270 MB), or leave mlp out of the models",
    );
  const tf = require("@tensorflow/tfjs") as typeof TF;
  tf.enableProdMode();
  void tf.setBackend("cpu");
  if (tf.getBackend() !== "cpu") throw new Error("TensorFlow.js: the CPU backend did not start");
  loaded = tf;
  return tf;
}

/** Mean and standard deviation of the values that are numbers (0 and 1 when there are none). */
function standardise(values: Float64Array): { mean: number; sd: number } {
  const m = meanOf(values);
  const mean = Number.isNaN(m) ? 0 : m;
  let n = 0;
  let ss = 0;
  for (const v of values)
    if (!Number.isNaN(v)) {
      ss += (v - mean) ** 2;
      n++;
    }
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { mean, sd: sd > 1e-12 ? sd : 1 };
}

export function fitMlp(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  options: MlpOptions = {},
): Regressor {
  const tf = tensorflow();
  const [h1, h2] = options.hidden ?? [16, 8];
  const epochs = options.epochs ?? 40;
  const batch = options.batch ?? 256;
  const seed = options.seed ?? 2014;
  const m = rows.length;
  const p = m === 0 ? 0 : (rows[0] as ArrayLike<number>).length;
  const scales = Array.from({ length: p }, (_, j) =>
    standardise(Float64Array.from(rows, (r) => r[j] as number)),
  );
  const target = standardise(Float64Array.from({ length: m }, (_, i) => y[i] as number));
  // The rows in a seeded order, so that every batch mixes seasons and hours.
  const order = Array.from({ length: m }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = m - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = Math.floor((s / 4294967296) * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const x = new Float32Array(m * p);
  const t = new Float32Array(m);
  order.forEach((i, k) => {
    const row = rows[i] as ArrayLike<number>;
    for (let j = 0; j < p; j++) {
      const v = row[j] as number;
      const sc = scales[j] as { mean: number; sd: number };
      x[k * p + j] = Number.isNaN(v) ? 0 : (v - sc.mean) / sc.sd;
    }
    t[k] = ((y[i] as number) - target.mean) / target.sd;
  });
  const X = tf.tensor2d(x, [m, p]);
  const Y = tf.tensor2d(t, [m, 1]);
  const he = (fanIn: number, shape: [number, number], k: number) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", seed + k));
  const w1 = he(p, [p, h1], 1);
  const b1 = tf.variable(tf.zeros([h1]));
  const w2 = he(h1, [h1, h2], 2);
  const b2 = tf.variable(tf.zeros([h2]));
  const w3 = he(h2, [h2, 1], 3);
  const b3 = tf.variable(tf.zeros([1]));
  const layer = (a: TF.Tensor, w: TF.Variable, b: TF.Variable) => tf.add(tf.matMul(a, w), b);
  const net = (input: TF.Tensor) =>
    layer(tf.relu(layer(tf.relu(layer(input, w1, b1)), w2, b2)), w3, b3);
  const adam = tf.train.adam(options.learningRate ?? 0.005);
  for (let e = 0; e < epochs; e++)
    for (let from = 0; from < m; from += batch) {
      const size = Math.min(batch, m - from);
      tf.tidy(() => {
        const xb = tf.slice(X, [from, 0], [size, p]);
        const yb = tf.slice(Y, [from, 0], [size, 1]);
        adam.minimize(() => tf.mean(tf.abs(tf.sub(net(xb), yb))) as TF.Scalar);
      });
    }
  const weights = [w1, b1, w2, b2, w3, b3].map((v) => Float64Array.from(v.dataSync()));
  for (const v of [X, Y, w1, b1, w2, b2, w3, b3]) v.dispose();
  adam.dispose();
  const [W1, B1, W2, B2, W3, B3] = weights as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const a1 = new Float64Array(h1);
  const a2 = new Float64Array(h2);
  const z = new Float64Array(p);
  return {
    predict(row) {
      for (let j = 0; j < p; j++) {
        const v = row[j] as number;
        const sc = scales[j] as { mean: number; sd: number };
        z[j] = Number.isNaN(v) ? 0 : (v - sc.mean) / sc.sd;
      }
      for (let k = 0; k < h1; k++) {
        let sum = B1[k] as number;
        for (let j = 0; j < p; j++) sum += (z[j] as number) * (W1[j * h1 + k] as number);
        a1[k] = Math.max(0, sum);
      }
      for (let k = 0; k < h2; k++) {
        let sum = B2[k] as number;
        for (let j = 0; j < h1; j++) sum += (a1[j] as number) * (W2[j * h2 + k] as number);
        a2[k] = Math.max(0, sum);
      }
      let out = B3[0] as number;
      for (let j = 0; j < h2; j++) out += (a2[j] as number) * (W3[j] as number);
      return target.mean + target.sd * out;
    },
  };
}
