/** Local clock times of the day: "HH:MM" read as minutes, windows that may wrap past midnight. */
import { localParts } from "./timeZone.js";

/** Minutes after midnight of a local clock time "HH:MM" (also "H:MM"; "24:00" is 1440). */
export function clockMinutes(text: string): number {
  const [h, m] = text.split(":").map(Number);
  return (h as number) * 60 + (m as number);
}

/** The local clock time "HH:MM" of minute-of-day `m` (0 to 1439). */
export function clockText(m: number): string {
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** True when minute-of-day `m` falls in [from, to), wrapping past midnight. */
export function inClockWindow(m: number, from: number, to: number): boolean {
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

/** The local minute of the day of instant `ms` in time zone `zone`. */
export function minuteOfDay(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  return p.hour * 60 + p.minute;
}
