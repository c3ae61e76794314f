/**
 * The record shapes the community expects in files and exports: snake_case, decimal kWh and
 * currency, ISO 8601 UTC timestamps.
 */
import { formatInstant } from "../core/time.js";
import { fromMicro, ppmToK, whToKwh } from "../core/units.js";
import type { ClearingResult, ParticipantSettlement, Trade } from "./types.js";

/** One trade as exported. `seller_price_per_kwh` appears where buyer and seller prices can differ. */
/** The columns of a trade record, in the order of the record shape and its CSV exports. */
export const TRADE_RECORD_COLUMNS = [
  "transaction_id",
  "seller",
  "buyer",
  "energy_amount_kwh",
  "price_per_kwh",
  "timestamp",
  "status",
] as const;

export interface TradeRecord {
  transaction_id: string;
  seller: string;
  buyer: string;
  energy_amount_kwh: number;
  price_per_kwh: number;
  timestamp: string;
  status: "completed";
  seller_price_per_kwh?: number;
}

export function tradeRecord(trade: Trade, withSellerPrice: boolean): TradeRecord {
  const record: TradeRecord = {
    transaction_id: trade.transactionId,
    seller: trade.seller,
    buyer: trade.buyer,
    energy_amount_kwh: whToKwh(trade.energyWh),
    price_per_kwh: fromMicro(trade.priceMicro),
    timestamp: formatInstant(trade.timestampMs),
    status: "completed",
  };
  if (withSellerPrice) record.seller_price_per_kwh = fromMicro(trade.sellerPriceMicro);
  return record;
}

export interface ParticipantRecord {
  participant: string;
  bought_kwh: number;
  sold_kwh: number;
  grid_import_kwh: number;
  grid_export_kwh: number;
  pays: number;
  receives: number;
}

export function participantRecord(p: ParticipantSettlement): ParticipantRecord {
  return {
    participant: p.participant,
    bought_kwh: whToKwh(p.boughtWh),
    sold_kwh: whToKwh(p.soldWh),
    grid_import_kwh: whToKwh(p.gridImportWh),
    grid_export_kwh: whToKwh(p.gridExportWh),
    pays: fromMicro(p.paysMicro),
    receives: fromMicro(p.receivesMicro),
  };
}

const priceOrNull = (micro: number | null) => (micro === null ? null : fromMicro(micro));

/** The interval's totals as exported. */
export function summaryRecord(result: Pick<ClearingResult, "summary">) {
  const s = result.summary;
  return {
    traded_kwh: whToKwh(s.tradedWh),
    clearing_price_per_kwh: priceOrNull(s.prices.clearingPriceMicro),
    buy_price_per_kwh: priceOrNull(s.prices.buyPriceMicro),
    sell_price_per_kwh: priceOrNull(s.prices.sellPriceMicro),
    welfare: fromMicro(s.welfareMicro),
    budget_surplus: fromMicro(s.budgetSurplusMicro),
    network_fees: fromMicro(s.networkFeesMicro),
    grid_import_kwh: whToKwh(s.gridImportWh),
    grid_export_kwh: whToKwh(s.gridExportWh),
    grid_cost: fromMicro(s.gridCostMicro),
  };
}

/** The `clear` command's JSON document. */
export function clearingRecord(result: ClearingResult, withSellerPrice: boolean) {
  return {
    mechanism: result.mechanism,
    ...(result.kPpm === null ? {} : { k: ppmToK(result.kPpm) }),
    interval: { start: formatInstant(result.interval.startMs), minutes: result.interval.minutes },
    trades: result.trades.map((t) => tradeRecord(t, withSellerPrice)),
    summary: summaryRecord(result),
    participants: result.participants.map(participantRecord),
  };
}
