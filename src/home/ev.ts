/**
 * An electric vehicle as a home sees it: a battery that is at home for stays (sessions) of whole
 * steps, arrives with some charge and must leave with enough; a charger of limited power with
 * its losses; optionally vehicle-to-home. The simulator's daily pattern and the optimiser's
 * dated stays are both sessions.
 */

/** One stay of the EV at home: steps [arriveStep, departStep). */
export interface EvSession {
  readonly arriveStep: number;
  readonly departStep: number;
  readonly arrivalKwh: number;
  /** Charge the EV must hold when it leaves, kWh. */
  readonly requiredKwh: number;
  /** Where the input gives this stay, for messages (e.g. `ev.daily`); `ev.sessions[i]` when absent. */
  readonly source?: string;
}

export interface EvSpec {
  readonly capacityKwh: number;
  readonly chargerKw: number;
  /** Share of the energy drawn from the home that reaches the EV's battery. */
  readonly efficiency: number;
  /** Vehicle-to-home: the EV may discharge into the home (never to the grid). */
  readonly vehicleToHome: boolean;
  /** In order of arrival, none overlapping. */
  readonly sessions: readonly EvSession[];
}

/** The session the EV is in at step `t`, if it is at home. */
export function sessionAt(ev: EvSpec, t: number): EvSession | undefined {
  return ev.sessions.find((s) => t >= s.arriveStep && t < s.departStep);
}

/** Charging as soon as it is plugged in: what the home draws, what the EV holds, what is missing. */
export interface GreedyCharging {
  /** Energy drawn from the home per step, kWh. */
  readonly chargeKwh: Float64Array;
  /** The EV's charge at the end of each step while at home (NaN when away), kWh. */
  readonly socKwh: Float64Array;
  /** Charge missing at departures (below each session's requirement), kWh over the period. */
  readonly unmetKwh: number;
}

/**
 * Charges at full power from arrival until the EV is full or leaves (the plain charger, and the
 * self-consumption rule's EV). `count` steps of `stepHours`.
 */
export function chargeGreedily(ev: EvSpec, count: number, stepHours: number): GreedyCharging {
  const chargeKwh = new Float64Array(count);
  const socKwh = new Float64Array(count).fill(Number.NaN);
  const most = ev.chargerKw * stepHours;
  let unmet = 0;
  for (const s of ev.sessions) {
    // What the battery still takes, kWh (kept as a remainder so that no charge is lost to rounding).
    let room = ev.capacityKwh - s.arrivalKwh;
    const end = Math.min(count, s.departStep);
    for (let t = Math.max(0, s.arriveStep); t < end; t++) {
      if (room > 0) {
        const e = Math.min(most, room / ev.efficiency);
        chargeKwh[t] = e;
        room -= e * ev.efficiency;
      }
      socKwh[t] = ev.capacityKwh - room;
    }
    unmet += Math.max(0, room - (ev.capacityKwh - s.requiredKwh));
  }
  return { chargeKwh, socKwh, unmetKwh: unmet };
}
