/**
 * Stopping without losing what was promised. While a server drains (from SIGTERM until its
 * listener closes), and whenever the platform cannot keep what it writes, new writes (POST,
 * PUT, PATCH, DELETE) get 503 `E_UNAVAILABLE` with `Retry-After`, reads are still answered, and
 * `/readyz` says 503 so a load balancer stops sending. `onClose` hooks run once intake has
 * stopped and gate closure has finished, before the listener closes: the place for anything
 * that must say goodbye to its clients (a WebSocket closing with 1001, say).
 */
import type { FastifyInstance } from "fastify";
import { InputError } from "../core/errors.js";
import { problemOf } from "./problems.js";

/** Why writes are refused now, and when to try again; undefined when they are taken. */
export interface Refusal {
  readonly reason: string;
  readonly retryAfterSeconds: number;
}

export type CloseHook = () => void | Promise<void>;

/** A server's lifecycle: taking writes, or draining before it stops. */
export class Lifecycle {
  private drainingNow = false;
  /** Run in order by `RunningServer.stop`, after intake stopped, before the listener closes. */
  readonly onClose: CloseHook[] = [];

  get draining(): boolean {
    return this.drainingNow;
  }

  /** Stops taking writes; reads go on until the listener closes. */
  startDraining(): void {
    this.drainingNow = true;
  }

  refusal(): Refusal | undefined {
    return this.drainingNow
      ? { reason: "the server is shutting down: try again shortly", retryAfterSeconds: 5 }
      : undefined;
  }

  /** Runs every close hook, each once, in order; a hook that fails does not stop the others. */
  async runCloseHooks(note: (line: string) => void): Promise<void> {
    for (const hook of this.onClose.splice(0)) {
      try {
        await hook();
      } catch (error) {
        note(`a close hook failed: ${(error as Error).message}`);
      }
    }
  }
}

/** The refusal while the platform cannot keep what it writes (`Platform.failure`). */
export function faultRefusal(failure: string | undefined): Refusal | undefined {
  return failure === undefined
    ? undefined
    : {
        reason: `${failure}: the server takes no writes until it is restarted on sound storage`,
        retryAfterSeconds: 60,
      };
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Refuses writes, and readiness, while `refusal` says so. */
export function registerWriteGate(app: FastifyInstance, refusal: () => Refusal | undefined): void {
  app.addHook("onRequest", async (request, reply) => {
    const now = refusal();
    if (now === undefined) return;
    const path = request.url.split("?")[0];
    if (!WRITES.has(request.method) && path !== "/readyz") return;
    const problem = problemOf(
      new InputError("E_UNAVAILABLE", now.reason, {
        details: { expected: `a retry in ${now.retryAfterSeconds} s or later` },
      }),
      request.url,
    );
    return reply
      .status(503)
      .header("retry-after", String(now.retryAfterSeconds))
      .type("application/problem+json")
      .send(problem);
  });
}

export interface Stoppable {
  readonly lifecycle: Lifecycle;
  readonly app: FastifyInstance;
  /** The last tick: waits for a gate closure under way, then closes what became due. */
  tick(): Promise<unknown>;
  /** Closes the ledger and the database. */
  closeStore(): Promise<void>;
  note(line: string): void;
}

/** After this long, connections still open are cut so the listener closes. */
const CLOSE_GRACE_MS = 8_000;

/**
 * Drains and stops: writes refused from now, the gate closure under way finished (and any gate
 * due closed), the close hooks run, the listener closed (requests under way answered; after a
 * grace, connections still open are cut), then the ledger and the database closed.
 */
export async function drainAndStop(s: Stoppable): Promise<void> {
  s.lifecycle.startDraining();
  await s
    .tick()
    .catch((error: unknown) => s.note(`the last gate closure failed: ${(error as Error).message}`));
  await s.lifecycle.runCloseHooks(s.note);
  const cut = setTimeout(() => s.app.server.closeAllConnections(), CLOSE_GRACE_MS);
  try {
    await s.app.close();
  } finally {
    clearTimeout(cut);
  }
  await s.closeStore();
}
