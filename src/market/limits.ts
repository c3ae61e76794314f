/**
 * The documented upper bounds of one market interval. Every amount of money the market computes
 * is exact only below 2^53 micro-units; within these bounds the largest (a whole side bought from
 * the grid at the highest price) is 10^14 micro-units, so every money identity of settlement holds
 * to the micro-unit. Input above them is refused, never rounded.
 */

/** The most energy one order may offer or ask: 10 MWh (a 40 MW flow for 15 minutes), Wh. */
export const MAX_ORDER_WH = 10_000_000;

/** The highest price per kWh an order or a tariff may name: 100 units (market caps are below 20), micro-units. */
export const MAX_PRICE_MICRO = 100_000_000;

/** The most energy one side (buy or sell) of an interval may hold in all: 1 GWh, Wh. */
export const MAX_SIDE_WH = 1_000_000_000;
