/** Field validators shared by the file formats, each with a message saying what is expected. */
import { z } from "zod";
import { parseInstant } from "../core/time.js";

export const positive = (what: string) =>
  z
    .number({ error: `a positive number (${what})` })
    .positive({ error: `a positive number (${what})` });
/**
 * A positive number no larger than `max`: equipment sizes, so that a slip of the exponent
 * (`1e308` kWp) is refused rather than simulated.
 */
export const positiveAtMost = (what: string, max: number) =>
  positive(what).max(max, { error: `a positive number of at most ${max} (${what})` });
export const nonNegative = (what: string) =>
  z
    .number({ error: `a number of 0 or more (${what})` })
    .nonnegative({ error: `a number of 0 or more (${what})` });
export const fraction = (what: string) =>
  z
    .number({ error: `a fraction from 0 to 1 (${what})` })
    .min(0, { error: `a fraction from 0 to 1 (${what})` })
    .max(1, { error: `a fraction from 0 to 1 (${what})` });
export const instant = z
  .string({ error: "an ISO 8601 time with offset, e.g. 2016-08-01T00:00:00-08:00" })
  .refine((s) => parseInstant(s) !== undefined, {
    error: "an ISO 8601 time with offset, e.g. 2016-08-01T00:00:00-08:00",
  });
export const clock = z
  .string({ error: 'a local time "HH:MM"' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: 'a local time "HH:MM"' });
/** A time in a household's or a home's own file: local without offset, or ISO 8601 with one. */
export const localStamp = z
  .string({ error: 'a time like "2011-11-29 00:00" (local) or ISO 8601 with offset' })
  .min(1);
