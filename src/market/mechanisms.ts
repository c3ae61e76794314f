/** The registry of clearing mechanisms, by name. */
import { billSharing } from "./billSharing.js";
import { cda } from "./cda.js";
import { mcafee } from "./mcafee.js";
import { mmr } from "./mmr.js";
import { payAsBid } from "./payAsBid.js";
import { sdr } from "./sdr.js";
import type { Mechanism, MechanismName } from "./types.js";
import { uniform } from "./uniform.js";

export const MECHANISMS: Readonly<Record<MechanismName, Mechanism>> = {
  cda,
  uniform,
  "pay-as-bid": payAsBid,
  mcafee,
  sdr,
  mmr,
  "bill-sharing": billSharing,
};

/** Looks up a mechanism; undefined for an unknown name. */
export function findMechanism(name: string): Mechanism | undefined {
  return Object.hasOwn(MECHANISMS, name) ? MECHANISMS[name as MechanismName] : undefined;
}
