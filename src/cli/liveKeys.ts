/**
 * What the clients of a live platform ask it about keys: the participant a key is bound to
 * (after a rotation, a key's own id is not its participant's), and the first interval a new key
 * can be bound from.
 */
import { GridshareError, InputError } from "../core/errors.js";
import { parseInstant } from "../core/time.js";
import type { ServerClient } from "./http.js";

/**
 * The participant the server binds `publicKey` to; the key's own id (`fallback`) when the server
 * knows no such key (the request then gets the server's own refusal).
 */
export async function participantOfKey(
  client: ServerClient,
  publicKey: string,
  fallback: string,
): Promise<string> {
  try {
    const record = (await client.get(`/v1/keys/${publicKey}`)) as { participant: string };
    return record.participant;
  } catch (error) {
    if (error instanceof GridshareError && error.code === "E_NOT_FOUND") return fallback;
    throw error;
  }
}

/** The start of the earliest interval still taking orders (its gate ahead), epoch ms. */
export async function nextOpenInterval(client: ServerClient): Promise<number> {
  const { intervals } = (await client.get("/v1/intervals?status=open")) as {
    intervals: { start: string }[];
  };
  const starts = intervals.map((i) => parseInstant(i.start) as number).sort((a, b) => a - b);
  const first = starts[0];
  if (first === undefined)
    throw new InputError(
      "E_INTERVAL_NOT_OPEN",
      "the server has no interval taking orders now: give --valid-from",
    );
  return first;
}
