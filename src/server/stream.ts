/**
 * The live feed on a WebSocket, `/v1/stream` (docs/platform.md, "The live feed"). A client sends
 * JSON messages: `{ "op": "subscribe", "channels": [...] }`, `{ "op": "unsubscribe", ... }` and,
 * for its private channel `orders:me`, `{ "op": "auth", "token": "<session token>" }` first (a
 * browser cannot set headers on a WebSocket). The server sends frames `{ channel, seq, type,
 * data }`, a snapshot after subscribing where the channel has one (`clock`, `book:<start>`), a
 * heartbeat with each subscribed channel's last number, and `{ type: "error", code, message }`
 * for a message it cannot take (the connection stays open). A client whose send buffer passes the
 * bound is dropped (close code 4008); on shutdown every connection closes with 1001.
 */
import websocket from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { type ErrorCode, GridshareError, InputError } from "../core/errors.js";
import { parseInstant } from "../core/time.js";
import type { Frame, Subscriber } from "../service/feed.js";
import { CHANNELS, clockRecord } from "../service/marketFeed.js";
import type { Platform } from "../service/platform.js";
import { isIntervalStart } from "../service/schedule.js";
import type { Sessions } from "../service/sessions.js";

export interface StreamOptions {
  /** Wall milliseconds between heartbeats (default 15 s). */
  readonly heartbeatMs?: number;
  /** A client whose unsent bytes pass this is dropped (default 1 MiB). */
  readonly maxBufferedBytes?: number;
}

/** The close code of a client dropped for reading too slowly. */
export const SLOW_CONSUMER = 4008;
const MAX_CHANNELS = 200;
const MAX_MESSAGE_BYTES = 64 * 1024;
const PUBLIC = new Set(["clock", "intervals", "trades", "heads"]);

/** Each frame's text, made once for all its subscribers. */
const texts = new WeakMap<Frame, string>();
function textOf(frame: Frame): string {
  let text = texts.get(frame);
  if (text === undefined) {
    text = JSON.stringify(frame);
    texts.set(frame, text);
  }
  return text;
}

class Connection {
  /** Feed channel → the name the client knows it by. */
  private readonly channels = new Map<string, string>();
  private participant: string | undefined;
  private token: string | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly subscriber: Subscriber = { deliver: (frame) => this.deliver(frame) };

  constructor(
    private readonly socket: WebSocket,
    private readonly platform: Platform,
    private readonly sessions: Sessions,
    private readonly options: Required<StreamOptions>,
  ) {
    this.heartbeat = setInterval(() => void this.beat(), options.heartbeatMs);
    socket.on("message", (data, isBinary) => void this.onMessage(data.toString(), isBinary));
    socket.on("close", () => this.closed());
  }

  private send(message: unknown): void {
    this.sendText(JSON.stringify(message));
  }

  private sendText(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.socket.close(SLOW_CONSUMER, "slow consumer: frames were not read in time");
      return;
    }
    this.socket.send(text);
  }

  private deliver(frame: Frame): void {
    const name = this.channels.get(frame.channel);
    if (name === undefined) return;
    this.sendText(
      name === frame.channel ? textOf(frame) : JSON.stringify({ ...frame, channel: name }),
    );
  }

  private error(code: string, message: string, field?: string): void {
    this.send({ type: "error", code, message, ...(field === undefined ? {} : { field }) });
  }

  private async onMessage(text: string, isBinary: boolean): Promise<void> {
    let message: { op?: unknown; channels?: unknown; token?: unknown };
    try {
      if (isBinary) throw new Error("binary");
      message = JSON.parse(text) as typeof message;
      if (typeof message !== "object" || message === null) throw new Error("not an object");
    } catch {
      this.error(
        "E_INPUT",
        'expected a JSON object such as {"op":"subscribe","channels":["trades"]}',
      );
      return;
    }
    try {
      if (message.op === "auth") await this.auth(message.token);
      else if (message.op === "subscribe") this.subscribe(channelList(message.channels));
      else if (message.op === "unsubscribe") this.unsubscribe(channelList(message.channels));
      else
        this.error(
          "E_INPUT",
          `op: expected "subscribe", "unsubscribe" or "auth", received ${JSON.stringify(message.op)}`,
          "op",
        );
    } catch (error) {
      if (!(error instanceof GridshareError)) throw error;
      const field = (error.details as { field?: string } | undefined)?.field;
      this.error(error.code, error.message, field);
    }
  }

  private async auth(token: unknown): Promise<void> {
    if (typeof token !== "string")
      throw refusal("E_INPUT", "token: expected the session token from POST /v1/session", "token");
    const who = await this.sessions.participantOf(`Bearer ${token}`);
    if (this.participant !== undefined && this.participant !== who.id) this.dropPrivate();
    this.participant = who.id;
    this.token = token;
    this.send({ type: "authenticated", participant: who.id });
  }

  /** The feed channel a client's channel name stands for, or a refusal naming it. */
  private resolve(name: string, index: number): string {
    const field = `channels[${index}]`;
    if (PUBLIC.has(name)) return name;
    if (name === "orders:me") {
      if (this.participant === undefined)
        throw refusal(
          "E_SIGNATURE_INVALID",
          `${field}: orders:me needs a session: send {"op":"auth","token":...} first`,
          field,
        );
      return CHANNELS.orders(this.participant);
    }
    if (name.startsWith("book:")) {
      const start = parseInstant(name.slice(5));
      if (start !== undefined && isIntervalStart(this.platform.community.schedule, start))
        return CHANNELS.book(start);
      throw refusal(
        "E_INPUT",
        `${field}: expected book:<the start of an interval>, e.g. book:2026-06-01T12:00:00Z, received ${JSON.stringify(name)}`,
        field,
      );
    }
    throw refusal(
      "E_INPUT",
      `${field}: expected one of clock, intervals, trades, heads, book:<interval start>, orders:me, received ${JSON.stringify(name)}`,
      field,
    );
  }

  private subscribe(names: readonly string[]): void {
    const resolved = names.map((n, i) => this.resolve(n, i));
    if (this.channels.size + resolved.length > MAX_CHANNELS)
      throw refusal(
        "E_INPUT",
        `channels: at most ${MAX_CHANNELS} channels per connection`,
        "channels",
      );
    const feed = this.platform.feed.feed;
    resolved.forEach((channel, i) => {
      const name = channel.startsWith("orders:") ? "orders:me" : channel;
      if (this.channels.has(channel)) return;
      this.channels.set(channel, name);
      const seq = feed.subscribe(channel, this.subscriber);
      this.send({ type: "subscribed", channel: name, requested: names[i], seq });
      const data = this.snapshot(channel);
      if (data !== undefined) this.send({ channel: name, seq, type: "snapshot", data });
    });
  }

  private snapshot(channel: string): unknown {
    if (channel === CHANNELS.clock) return clockRecord(this.platform.clock.state());
    if (channel.startsWith("book:"))
      return this.platform.feed.bookView(parseInstant(channel.slice(5)) as number);
    return undefined;
  }

  private unsubscribe(names: readonly string[]): void {
    const resolved = names.map((n, i) => this.resolve(n, i));
    for (const channel of resolved) {
      if (!this.channels.delete(channel)) continue;
      this.platform.feed.feed.unsubscribe(channel, this.subscriber);
      this.send({
        type: "unsubscribed",
        channel: channel.startsWith("orders:") ? "orders:me" : channel,
      });
    }
  }

  private dropPrivate(): void {
    for (const channel of [...this.channels.keys()])
      if (channel.startsWith("orders:")) {
        this.channels.delete(channel);
        this.platform.feed.feed.unsubscribe(channel, this.subscriber);
      }
  }

  /** The heartbeat; a session that has lapsed loses its private channel. */
  private async beat(): Promise<void> {
    if (this.token !== undefined) {
      try {
        await this.sessions.participantOf(`Bearer ${this.token}`);
      } catch (error) {
        this.dropPrivate();
        this.participant = undefined;
        this.token = undefined;
        this.error(
          (error as GridshareError).code ?? "E_SIGNATURE_INVALID",
          "the session has lapsed: orders:me is unsubscribed; authenticate again",
        );
      }
    }
    const seqs: Record<string, number> = {};
    for (const [channel, name] of this.channels)
      seqs[name] = this.platform.feed.feed.lastSeq(channel);
    this.send({ type: "heartbeat", seqs });
  }

  private closed(): void {
    clearInterval(this.heartbeat);
    for (const channel of this.channels.keys())
      this.platform.feed.feed.unsubscribe(channel, this.subscriber);
    this.channels.clear();
  }
}

function refusal(code: ErrorCode, message: string, field: string): GridshareError {
  return new InputError(code, message, { details: { field } });
}

function channelList(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((c) => typeof c === "string"))
    throw refusal(
      "E_INPUT",
      'channels: expected a list of channel names, e.g. ["clock","trades"]',
      "channels",
    );
  return raw as string[];
}

/** Registers `/v1/stream` (call before the other routes are added). */
export async function registerStream(
  app: FastifyInstance,
  platform: Platform,
  sessions: Sessions,
  options: StreamOptions = {},
): Promise<void> {
  const resolved = {
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
  };
  await app.register(websocket, {
    options: { maxPayload: MAX_MESSAGE_BYTES },
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(1001, "server shutting down");
      done();
    },
  });
  app.get("/v1/stream", { websocket: true, schema: { hide: true } }, (socket) => {
    new Connection(socket, platform, sessions, resolved);
  });
}
