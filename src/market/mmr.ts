/**
 * `mmr`: mid-market rate (Long et al. 2017). Local energy changes hands at the mid-market price
 *   P_mm = (λb' + λs) / 2.
 * When supply exceeds demand, buyers pay P_mm for everything and sellers get P_mm on the share
 * consumed locally and the feed-in price on the rest; when demand exceeds supply, sellers get
 * P_mm for everything and buyers pay P_mm on the local share and the import price on the rest.
 *
 * @see C. Long, J. Wu, C. Zhang, L. Thomas, M. Cheng, N. Jenkins, "Peer-to-peer energy trading in
 *      a community microgrid", IEEE PES General Meeting 2017
 */
import {
  canTradeLocally,
  NO_TRADE,
  netPositions,
  proRataOutcome,
  ratio,
} from "./communityPricing.js";
import type { ClearingInput, Mechanism, MechanismOutcome } from "./types.js";

/** The mid-market price in micro-units per kWh, half-even. */
export function midMarketPrice(importNetMicro: number, exportMicro: number): number {
  return ratio(BigInt(importNetMicro) + BigInt(exportMicro), 2n);
}

export function clearMmr(input: ClearingInput): MechanismOutcome {
  const n = netPositions(input);
  if (!canTradeLocally(n)) return NO_TRADE;
  return proRataOutcome(input, "mmr", n, midMarketPrice(n.importNetMicro, n.exportMicro));
}

export const mmr: Mechanism = {
  name: "mmr",
  kind: "community",
  defaultKPpm: null,
  splitPrices: true,
  allowsBothSides: false,
  clear: clearMmr,
};
