/**
 * `bill-sharing`: the community is billed by the grid as one customer, and the saving of that
 * joint bill over everyone settling alone, G = (λb' − λs)·min(D, S), is shared among members in
 * proportion to the energy each consumes or generates (Long et al. 2017 share the community bill
 * by individual consumption and generation). Every kWh bought or sold earns the same
 * g = G / (D + S): buyers pay λb − g per kWh on average, sellers receive λs + g. In trade terms
 * the local energy changes hands at
 *   p = λs + (λb' − λs)·S / (D + S),
 * which keeps every member at least as well off as with the grid alone.
 *
 * @see C. Long, J. Wu, C. Zhang, L. Thomas, M. Cheng, N. Jenkins, "Peer-to-peer energy trading in
 *      a community microgrid", IEEE PES General Meeting 2017
 * @see Y. Zhou, J. Wu, C. Long, "Evaluation of peer-to-peer energy sharing mechanisms based on a
 *      multiagent simulation framework", Applied Energy 222 (2018)
 */
import { communityScheme, ratio } from "./communityPricing.js";
import type { Mechanism } from "./types.js";

/** The bill-sharing local price in micro-units per kWh, half-even. */
export function billSharingPrice(
  importNetMicro: number,
  exportMicro: number,
  demandWh: number,
  supplyWh: number,
): number {
  const ls = BigInt(exportMicro);
  const span = BigInt(importNetMicro) - ls;
  const s = BigInt(supplyWh);
  const total = BigInt(demandWh) + s;
  return ratio(ls * total + span * s, total);
}

export const billSharing: Mechanism = communityScheme("bill-sharing", (n) =>
  billSharingPrice(n.importNetMicro, n.exportMicro, n.demandWh, n.supplyWh),
);
