/**
 * Session tokens for a member's private reads (its orders): the member signs a fresh challenge
 * with its key (a document `{ action: "session.open", challenge }`, context
 * `gridshare/session/v1`) and gets an EdDSA JWT valid for at most 15 minutes. Challenges are
 * stateless (an expiry and an HMAC of it) and each is taken once; the token's key lives in
 * memory only, so a restart ends every session. All of this runs on wall time.
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
import { type MemberContext, memberDocument } from "./memberDocuments.js";

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

  /** Opens a session for the member whose key signed the challenge. */
  async open(raw: unknown): Promise<{ token: string; participant: string; expires_at: string }> {
    const { doc, participant } = await memberDocument(this.ctx, raw, "session");
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
    const token = await new SignJWT({})
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

  /** The participant a bearer token speaks for; E_SIGNATURE_INVALID (401) when it does not hold. */
  async participantOf(authorization: string | undefined): Promise<Participant> {
    const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
    const denied = (why: string) =>
      new InputError(
        "E_SIGNATURE_INVALID",
        `${why}: sign a challenge (POST /v1/session) for a session token`,
        { details: { field: "authorization" } },
      );
    if (token === undefined) throw denied("no session token");
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        audience: this.audience,
        algorithms: ["EdDSA"],
        currentDate: new Date(this.ctx.wall()),
      });
      subject = payload.sub;
    } catch {
      throw denied("the session token is not valid (expired, or from before a restart)");
    }
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
