// Child process for the crash test: appends blocks to the ledger in argv[2] forever, printing
// "ack <height>" after each group commit is published. The parent kills it with SIGKILL.
import { clearInterval } from "../../dist/ledger/clearInterval.js";
import { identityFromSeed } from "../../dist/ledger/keys.js";
import { MECHANISMS } from "../../dist/market/mechanisms.js";
import { LedgerWriter } from "../../dist/store/ledgerStore.js";

const dir = process.argv[2];
const operator = identityFromSeed(Buffer.alloc(32, 9));
const mechanism = MECHANISMS.uniform;
const tariff = { importPriceMicro: 300000, exportPriceMicro: 50000, networkFeeMicro: 0 };
const writer = await LedgerWriter.open(dir, { create: true });
const T0 = Date.UTC(2026, 5, 1);
process.stdout.write("ready\n");
for (;;) {
  const perFlush = 1 + ((writer.state.height + 1) % 4);
  for (let b = 0; b < perFlush; b++) {
    const k = writer.state.height + 1;
    const startMs = T0 + k * 900_000;
    const items = [];
    for (let i = 0; i < 60; i++) {
      items.push({
        kind: "attested",
        order: {
          id: `k${k}-${i}`,
          participant: `home-${i}`,
          side: i % 2 === 0 ? "buy" : "sell",
          energy_kwh: 0.1 + ((i * 37 + k) % 50) / 10,
          price_per_kwh: 0.05 + ((i * 13 + k) % 25) / 100,
          timestamp: new Date(startMs - 60_000).toISOString(),
        },
      });
    }
    clearInterval({
      interval: { startMs, minutes: 15 },
      tariff,
      mechanism,
      items,
      onRejection: "refuse-interval",
      ledger: { store: writer, operator },
    });
  }
  await writer.flush();
  process.stdout.write(`ack ${writer.state.height}\n`);
}
