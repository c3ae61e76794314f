/**
 * How the live service refuses a request: an `InputError` with its stable code and the field,
 * what was expected and what came (the server turns it into problem+json). One home for the
 * refusals every kind of signed document shares.
 */
import type { z } from "zod";
import { type ErrorCode, InputError } from "../core/errors.js";
import { formatIssue } from "../core/issues.js";
import { parseInstant } from "../core/time.js";
import { fromZodIssues } from "../core/zodIssues.js";
import { isIntervalStart, type Schedule } from "./schedule.js";

export function refuse(
  code: ErrorCode,
  field: string,
  expected: string,
  received: unknown,
  message: string,
): InputError {
  return new InputError(code, message, { details: { field, expected, received } });
}

/**
 * `raw` as `schema` has it, or the refusal (`code`) naming the first bad field, under `prefix`
 * (e.g. `document`) when the value sits inside a larger body; `whole` says what the body is.
 */
export function parseOrRefuse<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  code: ErrorCode,
  whole: string,
  prefix?: string,
): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [issue] = fromZodIssues(parsed.error.issues, raw);
  const path = [...(prefix === undefined ? [] : [prefix]), ...(issue?.path ?? [])];
  const expected = issue?.expected ?? whole;
  throw refuse(
    code,
    path.join(".") || "(body)",
    expected,
    issue?.received,
    formatIssue({ path, expected, received: issue === undefined ? raw : issue.received }),
  );
}

/** The same nonce under another document. */
export function nonceReused(nonce: string): InputError {
  return refuse(
    "E_NONCE_REUSED",
    "nonce",
    "a nonce this key has not used before (the same signed bytes again are answered as the first time)",
    nonce,
    `nonce ${nonce} was already used by this key for another document`,
  );
}

/** The instant `text` names (already a valid instant), refused at `field` unless it starts an interval. */
export function intervalStartAt(schedule: Schedule, text: string, field: string): number {
  const ms = parseInstant(text) as number;
  if (!isIntervalStart(schedule, ms))
    throw refuse(
      "E_INPUT",
      field,
      `the start of a ${schedule.intervalMinutes}-minute interval`,
      text,
      `${text} is not the start of an interval`,
    );
  return ms;
}
