/**
 * Three-phase unbalanced power flow on a radial feeder by backward/forward sweep (Kersting,
 * Distribution System Modeling and Analysis, ch. 10): from the bus voltages, the load currents;
 * summed backwards, the branch currents; then voltages forwards from the transformer's
 * secondary, V_child = V_parent − Z_line · I_branch, the secondary itself behind the transformer
 * and the source. Repeated until no voltage moves more than the tolerance.
 *
 * Loads are constant power, phase to ground (the neutral is folded into the lines' Z0). Power is
 * per bus and phase, kW and kvar, positive when consumed; generation is a negative load.
 */
import { InputError } from "../core/errors.js";
import type { Feeder } from "./feeder.js";

export interface PowerFlowOptions {
  /** Largest voltage change between sweeps at convergence, pu. */
  readonly tolerancePu?: number;
  readonly maxIterations?: number;
}

export interface PowerFlowResult {
  readonly converged: boolean;
  readonly iterations: number;
  /** Largest voltage change in the last sweep, pu. */
  readonly mismatchPu: number;
  /** Bus-phase voltages (index 3·bus + phase), V, as real and imaginary parts. */
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  /** Current into each bus from its parent (index 3·bus + phase), A; the root's is the transformer's. */
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
  /** Power drawn from the MV source at the transformer's primary, kW and kvar. */
  readonly substationKw: number;
  readonly substationKvar: number;
  /** Primary (MV) phase voltages, V. */
  readonly primaryRe: Float64Array;
  readonly primaryIm: Float64Array;
}

/**
 * Thrown when the sweep diverges or a voltage collapses; names the bus where it happened. The
 * loads asked of the feeder are more than it can carry: bad input, exit 2.
 */
export class PowerFlowError extends InputError {
  constructor(
    message: string,
    readonly bus: string | undefined,
  ) {
    super("E_NOT_CONVERGED", message, { ...(bus === undefined ? {} : { details: { bus } }) });
  }
}

export class PowerFlow {
  private readonly n: number;
  private readonly vRe: Float64Array;
  private readonly vIm: Float64Array;
  private readonly iRe: Float64Array;
  private readonly iIm: Float64Array;

  constructor(readonly feeder: Feeder) {
    this.n = feeder.buses.length;
    this.vRe = new Float64Array(3 * this.n);
    this.vIm = new Float64Array(3 * this.n);
    this.iRe = new Float64Array(3 * this.n);
    this.iIm = new Float64Array(3 * this.n);
  }

  /** Flat start: every bus at the open-circuit secondary voltage. */
  private flatStart(): void {
    const { eRe, eIm } = this.feeder;
    for (let b = 0; b < this.n; b++)
      for (let p = 0; p < 3; p++) {
        this.vRe[3 * b + p] = eRe[p] as number;
        this.vIm[3 * b + p] = eIm[p] as number;
      }
  }

  /**
   * Solves for the loads `pKw`, `qKvar` (index 3·bus + phase). Starts from the previous solution
   * when `warm` (time series), else from a flat start.
   */
  solve(
    pKw: Float64Array,
    qKvar: Float64Array,
    options: PowerFlowOptions & { warm?: boolean } = {},
  ): PowerFlowResult {
    const f = this.feeder;
    const n = this.n;
    const tol = (options.tolerancePu ?? 1e-8) * f.baseVolts;
    const maxIter = options.maxIterations ?? 100;
    const { vRe, vIm, iRe, iIm } = this;
    const { parent, zRe, zIm, eRe, eIm } = f;
    if (!options.warm) this.flatStart();
    const [srcR, srcX] = f.zSource;
    const [trR, trX] = f.zTransformer;
    let change = Number.POSITIVE_INFINITY;
    let iter = 0;
    while (iter < maxIter) {
      iter++;
      // Load currents: I = conj(S / V), S in VA.
      for (let k = 0; k < 3 * n; k++) {
        const p = (pKw[k] as number) * 1000;
        const q = (qKvar[k] as number) * 1000;
        const vr = vRe[k] as number;
        const vi = vIm[k] as number;
        const m = vr * vr + vi * vi;
        if (p === 0 && q === 0) {
          iRe[k] = 0;
          iIm[k] = 0;
          continue;
        }
        if (!(m > 1e-6)) throw this.collapse(k);
        // conj(S/V) = conj(S)·V / |V|² ... = (p − jq)(vr + j vi)/m
        iRe[k] = (p * vr + q * vi) / m;
        iIm[k] = (p * vi - q * vr) / m;
      }
      // Backward sweep: each bus passes its current (own loads plus its subtree) to its parent.
      for (let b = n - 1; b > 0; b--) {
        const a = parent[b] as number;
        for (let p = 0; p < 3; p++) {
          iRe[3 * a + p] = (iRe[3 * a + p] as number) + (iRe[3 * b + p] as number);
          iIm[3 * a + p] = (iIm[3 * a + p] as number) + (iIm[3 * b + p] as number);
        }
      }
      // Forward sweep, the secondary first: E − Zsrc·(I − I0) − Ztr·I.
      change = 0;
      const i0r = ((iRe[0] as number) + (iRe[1] as number) + (iRe[2] as number)) / 3;
      const i0i = ((iIm[0] as number) + (iIm[1] as number) + (iIm[2] as number)) / 3;
      for (let p = 0; p < 3; p++) {
        const ir = iRe[p] as number;
        const ii = iIm[p] as number;
        const pr = ir - i0r;
        const pi = ii - i0i;
        const nr = (eRe[p] as number) - (srcR * pr - srcX * pi) - (trR * ir - trX * ii);
        const ni = (eIm[p] as number) - (srcR * pi + srcX * pr) - (trR * ii + trX * ir);
        change = Math.max(change, Math.hypot(nr - (vRe[p] as number), ni - (vIm[p] as number)));
        vRe[p] = nr;
        vIm[p] = ni;
      }
      for (let b = 1; b < n; b++) {
        const a = 3 * (parent[b] as number);
        const z = 9 * b;
        const i0 = 3 * b;
        const ar = iRe[i0] as number;
        const ai = iIm[i0] as number;
        const br = iRe[i0 + 1] as number;
        const bi = iIm[i0 + 1] as number;
        const cr = iRe[i0 + 2] as number;
        const ci = iIm[i0 + 2] as number;
        for (let p = 0; p < 3; p++) {
          const r = z + 3 * p;
          const z0r = zRe[r] as number;
          const z0i = zIm[r] as number;
          const z1r = zRe[r + 1] as number;
          const z1i = zIm[r + 1] as number;
          const z2r = zRe[r + 2] as number;
          const z2i = zIm[r + 2] as number;
          const dr = z0r * ar - z0i * ai + z1r * br - z1i * bi + z2r * cr - z2i * ci;
          const di = z0r * ai + z0i * ar + z1r * bi + z1i * br + z2r * ci + z2i * cr;
          const nr = (vRe[a + p] as number) - dr;
          const ni = (vIm[a + p] as number) - di;
          const d = Math.abs(nr - (vRe[i0 + p] as number)) + Math.abs(ni - (vIm[i0 + p] as number));
          if (d > change) change = d;
          vRe[i0 + p] = nr;
          vIm[i0 + p] = ni;
        }
      }
      if (!Number.isFinite(change)) throw this.diverged(iter);
      if (change < tol) break;
    }
    return this.result(change, iter, tol);
  }

  private result(change: number, iter: number, tol: number): PowerFlowResult {
    const f = this.feeder;
    // The primary side: winding a spans phases A-C, b spans B-A, c spans C-B (the secondary
    // lags by 30°), so the line currents are I_A = (I_a - I_b)/n and so on, and each phase
    // voltage is the source's behind its impedance, V_A = E_A - Z1·I_A.
    const n = (f.primaryBaseVolts * Math.sqrt(3)) / f.baseVolts;
    const [z1r, z1i] = f.zPrimarySource;
    const e = f.primarySetVolts;
    const primaryRe = new Float64Array(3);
    const primaryIm = new Float64Array(3);
    let sp = 0;
    let sq = 0;
    for (let p = 0; p < 3; p++) {
      const q = (p + 1) % 3;
      const ir = ((this.iRe[p] as number) - (this.iRe[q] as number)) / n;
      const ii = ((this.iIm[p] as number) - (this.iIm[q] as number)) / n;
      const ang = (-120 * p * Math.PI) / 180;
      const vr = e * Math.cos(ang) - (z1r * ir - z1i * ii);
      const vi = e * Math.sin(ang) - (z1r * ii + z1i * ir);
      primaryRe[p] = vr;
      primaryIm[p] = vi;
      sp += vr * ir + vi * ii;
      sq += vi * ir - vr * ii;
    }
    return {
      converged: change < tol,
      iterations: iter,
      mismatchPu: change / f.baseVolts,
      vRe: Float64Array.from(this.vRe),
      vIm: Float64Array.from(this.vIm),
      iRe: Float64Array.from(this.iRe),
      iIm: Float64Array.from(this.iIm),
      substationKw: sp / 1000,
      substationKvar: sq / 1000,
      primaryRe,
      primaryIm,
    };
  }

  private collapse(k: number): PowerFlowError {
    const bus = this.feeder.buses[Math.floor(k / 3)];
    return new PowerFlowError(
      `the voltage at bus ${bus}, phase ${"ABC"[k % 3]} collapsed to zero: the load is more than the feeder can carry`,
      bus,
    );
  }

  private diverged(iter: number): PowerFlowError {
    let worst = 0;
    let at = 0;
    for (let k = 0; k < this.vRe.length; k++) {
      const m = Math.hypot(this.vRe[k] as number, this.vIm[k] as number);
      const dev = Number.isFinite(m)
        ? Math.abs(m - this.feeder.baseVolts)
        : Number.POSITIVE_INFINITY;
      if (dev > worst) {
        worst = dev;
        at = k;
      }
    }
    const bus = this.feeder.buses[Math.floor(at / 3)];
    return new PowerFlowError(
      `the power flow diverged after ${iter} sweeps; the voltage moved most at bus ${bus}, phase ${"ABC"[at % 3]}: the loads are beyond what the feeder can carry`,
      bus,
    );
  }
}
