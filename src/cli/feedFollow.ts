/**
 * Following one public channel of a live platform's feed (`/v1/stream`) from the command line:
 * connects, subscribes, hands each frame on, and when the connection drops reconnects with
 * back-off (1 s doubling to 30 s). Frames skipped while away are said on stderr (how many, so
 * the user can fetch them over REST); the sequence numbers make that exact.
 */
import WebSocket from "ws";

export interface FollowOptions {
  /** The server's http(s) URL. */
  readonly server: string;
  readonly channel: string;
  readonly onFrame: (frame: { seq: number; type: string; data: unknown }) => void;
  readonly note: (line: string) => void;
  /** Resolves to stop following. */
  readonly stop: Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

/** Follows until `stop` resolves. */
export async function follow(options: FollowOptions): Promise<void> {
  const url = `${options.server.replace(/^http/, "ws")}/v1/stream`;
  let last: number | undefined;
  let backoff = 1000;
  let stopped = false;
  void options.stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    const outcome = await session(url, options, (seq) => {
      if (last !== undefined && seq > last + 1)
        options.note(
          `missed ${seq - last - 1} frame(s) of ${options.channel} while away (numbers ${last + 1} to ${seq - 1})`,
        );
      last = seq;
      backoff = 1000;
    });
    if (stopped || outcome === "stopped") return;
    options.note(`the feed at ${url} is gone (${outcome}); reconnecting in ${backoff / 1000} s`);
    await Promise.race([new Promise((r) => setTimeout(r, backoff)), options.stop]);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  }
}

/** One connection: resolves with why it ended. */
function session(
  url: string,
  options: FollowOptions,
  seen: (seq: number) => void,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let done = false;
    const end = (why: string) => {
      if (done) return;
      done = true;
      socket.removeAllListeners();
      socket.on("error", () => undefined);
      socket.terminate();
      resolve(why);
    };
    void options.stop.then(() => end("stopped"));
    socket.on("open", () =>
      socket.send(JSON.stringify({ op: "subscribe", channels: [options.channel] })),
    );
    socket.on("message", (data) => {
      const m = JSON.parse(data.toString()) as {
        type: string;
        channel?: string;
        seq?: number;
        data?: unknown;
        message?: string;
      };
      if (m.type === "error") options.note(`the feed refused: ${m.message}`);
      else if (m.type === "subscribed" && m.seq !== undefined) {
        options.note(`following ${options.channel} at ${url} (last frame ${m.seq})`);
        seen(m.seq);
      } else if (m.channel === options.channel && m.seq !== undefined && m.type !== "snapshot") {
        seen(m.seq);
        options.onFrame({ seq: m.seq, type: m.type, data: m.data });
      }
    });
    socket.on("close", (code) => end(`closed with ${code}`));
    socket.on("error", (error) => end(error.message));
  });
}
