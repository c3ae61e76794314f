/** Timestamps in data files: ISO 8601 with an offset, or a naive local time in a named zone. */
import { parseInstant } from "../core/time.js";
import { localToUtc } from "../core/timeZone.js";

/** Parses a timestamp: ISO with offset, or a naive local time in `timeZone`. */
export function parseStamp(text: string, timeZone: string): number | undefined {
  const iso = parseInstant(text.trim());
  if (iso !== undefined) return iso;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return localToUtc(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6] ?? 0),
    },
    timeZone,
  );
}
