/**
 * Session tokens for a member's private reads (its orders): the member signs a fresh challenge
 * with its key (a document `{ action: "session.open", challenge }`, context
 * `gridshare/session/v1`) and gets an EdDSA JWT valid for at most 15 minutes. Challenges are
 * stateless (an expiry and an HMAC of it) and each is taken once; the token's key lives in
 * memory only, so a restart ends every session. All of this runs on wall time.
 *
 * Only a member's current key opens a session: a key rotated out (or replaced by the operator)
 * opens none from the moment the new one is bound.
 *
 * The operator opens a session the same way with the community's admin key: its token says
 * `role: "operator"` and reads what only the operator may (the audit log), and no member's
 * private data; a member's token reads nothing of the operator's.
 */
import {
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { InputError } from "../core/errors.js";
import type { Participant } from "../store/communityStore.js";
import { type MemberContext, memberDocument, verifiedDocument } from "./memberDocuments.js";
import { requireCurrentKey } from "./signers.js";

const OPERATOR = "operator";

const CHALLENGE_MS = 2 * 60_000;
const TOKEN_S = 15 * 60;

const openSchema = z.strictObject({
  action: z.literal("session.open"),
  challenge: z.string().min(1),
});

export class Sessions {
  private readonly secret = randomBytes(32);
  private readonly keys: { privateKey: KeyObject; publicKey: KeyObject } =
    generateKeyPairSync("ed25519");
  /** Challenges answered, until they expire. */
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly ctx: MemberContext,
    private readonly audience: string,
    /** The community's admin key: its sessions are the operator's. */
    private readonly adminPublicKey?: string,
  ) {}

  private mac(expires: number): string {
    return createHmac("sha256", this.secret).update(String(expires)).digest("hex");
  }

  /** A challenge to sign, valid for two minutes. */
  challenge(): { challenge: string; expires_at: string } {
    const expires = this.ctx.wall() + CHALLENGE_MS;
    return {
      challenge: `${expires}.${this.mac(expires)}`,
      expires_at: new Date(expires).toISOString(),
    };
  }

  private takeChallenge(challenge: string): void {
    const now = this.ctx.wall();
    for (const [c, until] of this.taken) if (until < now) this.taken.delete(c);
    const [when, mac] = challenge.split(".");
    const expires = Number(when);
    const good =
      mac !== undefined &&
      Number.isSafeInteger(expires) &&
      mac.length === 64 &&
      timingSafeEqual(Buffer.from(mac, "hex"), Buffer.from(this.mac(expires), "hex"));
    if (!good || expires < now || this.taken.has(challenge))
      throw new InputError(
        "E_SIGNATURE_INVALID",
        "the challenge is not one this server issued, has expired, or was already used: ask for a new one",
        {
          details: {
            field: "document.challenge",
            expected: "a fresh challenge from POST /v1/session/challenge",
            received: challenge,
          },
        },
      );
    this.taken.set(challenge, expires);
  }

  /** The admin key's document, checked as a member's would be (signature, expiry); else undefined. */
  private operatorDocument(raw: unknown) {
    const key = (raw as { public_key?: unknown } | null)?.public_key;
    if (this.adminPublicKey === undefined || key !== this.adminPublicKey) return undefined;
    return verifiedDocument(this.ctx.wall, raw, "session");
  }

  /**
   * Opens a session for the member whose key signed the challenge, or for the operator when
   * the community's admin key signed it (`participant: "operator"`).
   */
  async open(raw: unknown): Promise<{ token: string; participant: string; expires_at: string }> {
    const operatorDoc = this.operatorDocument(raw);
    const { doc, participant } =
      operatorDoc === undefined
        ? await memberDocument(this.ctx, raw, "session")
        : { doc: operatorDoc, participant: { id: OPERATOR } };
    const role = operatorDoc === undefined ? "member" : OPERATOR;
    if (operatorDoc === undefined)
      requireCurrentKey(participant as Participant, doc.public_key, "open sessions");
    const parsed = openSchema.safeParse(doc.document);
    if (!parsed.success)
      throw new InputError(
        "E_INPUT",
        'document: expected { "action": "session.open", "challenge": "..." }',
        {
          details: { field: "document", expected: "a session.open document" },
        },
      );
    this.takeChallenge(parsed.data.challenge);
    const expires = Math.floor(this.ctx.wall() / 1000) + TOKEN_S;
    const token = await new SignJWT({ role })
      .setProtectedHeader({ alg: "EdDSA" })
      .setSubject(participant.id)
      .setAudience(this.audience)
      .setIssuedAt(Math.floor(this.ctx.wall() / 1000))
      .setExpirationTime(expires)
      .sign(this.keys.privateKey);
    return {
      token,
      participant: participant.id,
      expires_at: new Date(expires * 1000).toISOString(),
    };
  }

  /**
   * Who a bearer token speaks for: its subject and role. E_SIGNATURE_INVALID (401) when there is
   * no token or it does not hold.
   */
  private async bearerOf(
    authorization: string | undefined,
  ): Promise<{ subject: string | undefined; role: unknown }> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
    const denied = (why: string) =>
      new InputError(
        "E_SIGNATURE_INVALID",
        `${why}: sign a challenge (POST /v1/session) for a session token`,
        { details: { field: "authorization" } },
      );
    if (token === undefined) throw denied("no session token");
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        audience: this.audience,
        algorithms: ["EdDSA"],
        currentDate: new Date(this.ctx.wall()),
      });
      return { subject: payload.sub, role: payload.role };
    } catch {
      throw denied("the session token is not valid (expired, or from before a restart)");
    }
  }

  /** Refuses, with E_FORBIDDEN (403), a session of the wrong role. */
  private static forbidden(what: string): InputError {
    return new InputError("E_FORBIDDEN", what, { details: { field: "authorization" } });
  }

  /** Checks the bearer token is the operator's; a member's is E_FORBIDDEN. */
  async operatorOf(authorization: string | undefined): Promise<void> {
    const { role } = await this.bearerOf(authorization);
    if (role !== OPERATOR)
      throw Sessions.forbidden(
        "only the operator may read this: open a session with the admin key",
      );
  }

  /** The participant a bearer token speaks for; E_SIGNATURE_INVALID (401) when it does not hold. */
  async participantOf(authorization: string | undefined): Promise<Participant> {
    const { subject, role } = await this.bearerOf(authorization);
    if (role === OPERATOR)
      throw Sessions.forbidden("an operator session reads no member's private data");
    const denied = (why: string) =>
      new InputError(
        "E_SIGNATURE_INVALID",
        `${why}: sign a challenge (POST /v1/session) for a session token`,
        { details: { field: "authorization" } },
      );
    const participant =
      subject === undefined ? undefined : await this.ctx.store.participantById(subject);
    if (participant === undefined) throw denied("the session's participant is gone");
    if (participant.status === "suspended")
      throw new InputError(
        "E_PARTICIPANT_SUSPENDED",
        `participant ${participant.id} is suspended`,
        { details: { field: "authorization" } },
      );
    return participant;
  }
}
