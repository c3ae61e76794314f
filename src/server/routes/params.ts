/**
 * What several routes read from a request the same way: an instant in a path or query, parsed
 * with the message the files give for a bad one.
 */
import { z } from "zod";
import { InputError } from "../../core/errors.js";
import { parseInstant } from "../../core/time.js";

export const instantParam = z.string().describe("an ISO 8601 instant, e.g. 2026-06-01T12:00:00Z");

export function instantOf(text: string, field: string): number {
  const ms = parseInstant(text);
  if (ms === undefined)
    throw new InputError(
      "E_INPUT",
      `${field}: expected an ISO 8601 time with offset, e.g. 2026-06-01T12:00:00Z, received ${JSON.stringify(text)}`,
      {
        details: { field, expected: "an ISO 8601 time with offset", received: text },
      },
    );
  return ms;
}
