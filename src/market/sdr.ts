/**
 * `sdr`: supply-demand-ratio pricing (Liu et al. 2017). With SDR = S / D, the internal selling
 * price is
 *   P_s = λb'·λs / ((λb' − λs)·SDR + λs)   for SDR < 1,   λs otherwise,
 * falling from the import price when local supply is scarce to the feed-in price when it covers
 * all demand. Local energy changes hands at P_s; buyers' unmet demand comes from the grid, so
 * their blended price is P_b = P_s·SDR + λb·(1 − SDR) (plus the fee on the local share).
 *
 * @see N. Liu, X. Yu, C. Wang, C. Li, L. Ma, J. Lei, "Energy-sharing model with price-based
 *      demand response for microgrids of peer-to-peer prosumers", IEEE Trans. Power Systems
 *      32(5), 2017
 */
import { communityScheme, ratio } from "./communityPricing.js";
import type { Mechanism } from "./types.js";

/** The SDR selling price in micro-units per kWh for demand D and supply S (Wh). */
export function sdrSellPrice(
  importNetMicro: number,
  exportMicro: number,
  demandWh: number,
  supplyWh: number,
): number {
  if (supplyWh >= demandWh) return exportMicro;
  const lb = BigInt(importNetMicro);
  const ls = BigInt(exportMicro);
  const d = BigInt(demandWh);
  const s = BigInt(supplyWh);
  // λb·λs / ((λb − λs)·S/D + λs) = λb·λs·D / ((λb − λs)·S + λs·D)
  return ratio(lb * ls * d, (lb - ls) * s + ls * d);
}

export const sdr: Mechanism = communityScheme("sdr", (n) =>
  sdrSellPrice(n.importNetMicro, n.exportMicro, n.demandWh, n.supplyWh),
);
