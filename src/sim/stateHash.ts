/**
 * A fingerprint of a run's state: SHA-256 over every variant's accounts, every home's sums and
 * every per-interval series, byte for byte. Two runs of the same input give the same hash; a
 * replay (the live platform's twin, a rerun on another machine) can be checked against it
 * without comparing outputs file by file.
 */
import { sha256Hex } from "../core/ids.js";
import type { HomeAccount, VariantAccount } from "./accounts.js";

const HOME_FIELDS = [
  "importWh",
  "exportWh",
  "boughtWh",
  "soldWh",
  "fromCommunityBatteryWh",
  "toCommunityBatteryWh",
  "paysMicro",
  "receivesMicro",
  "co2Kg",
  "peakImportWh",
  "communityBatteryShareMicro",
] as const satisfies readonly (keyof HomeAccount)[];

const VARIANT_FIELDS = [
  "welfareMicro",
  "localValueMicro",
  "maxLocalValueMicro",
  "ordersTotal",
  "ordersUnmatched",
  "networkFeesMicro",
  "budgetSurplusMicro",
  "tradeCount",
] as const satisfies readonly (keyof VariantAccount)[];

/** The hash of the variants' state, hex. */
export function stateHash(variants: readonly VariantAccount[]): string {
  const parts: Uint8Array[] = [];
  const numbers = (values: readonly number[]) =>
    parts.push(new Uint8Array(Float64Array.from(values).buffer));
  for (const v of variants) {
    parts.push(new TextEncoder().encode(`${v.plan.key}\n`));
    numbers(VARIANT_FIELDS.map((f) => v[f]));
    numbers([
      v.communityBattery.paysMicro,
      v.communityBattery.receivesMicro,
      v.communityBattery.chargedKwh,
      v.communityBattery.dischargedKwh,
    ]);
    for (const h of v.homes) numbers(HOME_FIELDS.map((f) => h[f]));
    for (const series of [
      v.gridImportWh,
      v.gridExportWh,
      v.localTradedWh,
      v.transformerKwh,
      v.priceMicro,
    ])
      parts.push(new Uint8Array(series.buffer, series.byteOffset, series.byteLength));
    parts.push(
      new Uint8Array(
        v.communityBatterySoc.buffer,
        v.communityBatterySoc.byteOffset,
        v.communityBatterySoc.byteLength,
      ),
    );
  }
  let length = 0;
  for (const p of parts) length += p.length;
  const all = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return sha256Hex(all);
}
