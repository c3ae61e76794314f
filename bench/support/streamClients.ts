/**
 * The subscribers of the stream benchmark, in a process of their own: opens N WebSocket
 * connections to `/v1/stream`, subscribes each to `trades`, and for every `trades` frame writes
 * one JSON line per connection `{ seq, at }` (at: epoch ms with microseconds) to stdout. Sends
 * "ready" once all are subscribed; ends on SIGTERM.
 *
 *   node --import tsx bench/support/streamClients.ts ws://127.0.0.1:PORT/v1/stream 1000
 */
import WebSocket from "ws";

const [url, countText] = process.argv.slice(2);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now();
let subscribed = 0;
const sockets: WebSocket[] = [];
const lines: string[] = [];

for (let i = 0; i < count; i++) {
  const socket = new WebSocket(url as string);
  sockets.push(socket);
  socket.on("open", () => socket.send(JSON.stringify({ op: "subscribe", channels: ["trades"] })));
  socket.on("message", (data) => {
    const at = now();
    const m = JSON.parse(data.toString()) as { type: string; seq?: number };
    if (m.type === "subscribed" && ++subscribed === count) process.stdout.write("ready\n");
    else if (m.type === "trades") lines.push(`{"seq":${m.seq},"at":${at}}`);
  });
  socket.on("error", (e) => process.stderr.write(`socket ${i}: ${e.message}\n`));
}

process.on("SIGTERM", () => {
  process.stdout.write(`${lines.join("\n")}\nend\n`);
  for (const s of sockets) s.terminate();
  process.exit(0);
});
