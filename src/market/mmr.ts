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
import { communityScheme, ratio } from "./communityPricing.js";
import type { Mechanism } from "./types.js";

/** The mid-market price in micro-units per kWh, half-even. */
export function midMarketPrice(importNetMicro: number, exportMicro: number): number {
  return ratio(BigInt(importNetMicro) + BigInt(exportMicro), 2n);
}

export const mmr: Mechanism = communityScheme("mmr", (n) =>
  midMarketPrice(n.importNetMicro, n.exportMicro),
);
