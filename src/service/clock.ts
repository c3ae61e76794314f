/**
 * The market's time. Intervals, gate closures and order expiry run on it; authentication, rate
 * limits and heartbeats run on wall time. Three kinds:
 *
 * - real time (`speed` 1 from now): the market's time is the wall clock;
 * - virtual (`--start T --speed N`): starts at T and runs N times faster than the wall clock, and
 *   after a restart resumes from the last instant it persisted;
 * - manual (tests): moves only when told to, never backwards.
 */

import type { ClockState } from "../store/communityStore.js";

export type { ClockState };

export interface MarketClock {
  readonly kind: "real" | "virtual" | "manual";
  now(): number;
  state(): ClockState;
}

/** A wall clock, injectable for tests. */
export type WallClock = () => number;

/** The wall clock itself. */
export function realClock(wall: WallClock = Date.now): MarketClock {
  const startedAt = wall();
  return {
    kind: "real",
    now: wall,
    state: () => ({ now: wall(), speed: 1, startedAt }),
  };
}

/** Starts at `startMs` and runs `speed` times faster than `wall`. */
export function virtualClock(
  startMs: number,
  speed: number,
  wall: WallClock = Date.now,
): MarketClock {
  const wallStart = wall();
  const now = () => Math.floor(startMs + (wall() - wallStart) * speed);
  return {
    kind: "virtual",
    now,
    state: () => ({ now: now(), speed, startedAt: startMs }),
  };
}

/** A clock that moves only by `advanceTo` (tests, and `--clock manual`). */
export class ManualClock implements MarketClock {
  readonly kind = "manual";
  private at: number;

  constructor(readonly startedAt: number) {
    this.at = startedAt;
  }

  now(): number {
    return this.at;
  }

  state(): ClockState {
    return { now: this.at, speed: 0, startedAt: this.startedAt };
  }

  /** Moves to `ms`; a time before now is refused (the market's time never runs back). */
  advanceTo(ms: number): void {
    if (!(ms >= this.at)) throw new RangeError(`the clock cannot go back from ${this.at} to ${ms}`);
    this.at = ms;
  }
}
