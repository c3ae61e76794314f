import { after } from "node:test";
import { openPostgres } from "../../src/store/sql/postgres.js";
import { type FreshPostgres, freshPostgres } from "../support/postgres.js";
import { runCdaSuite } from "./cdaSuite.js";
import { runLiveSuite } from "./liveSuite.js";

const created: FreshPostgres[] = [];
const probe = await freshPostgres();
if (probe !== undefined) {
  created.push(probe);
  runLiveSuite("live on postgres", async () => {
    const fresh = await freshPostgres();
    if (fresh === undefined) throw new Error("PostgreSQL went away during the suite");
    created.push(fresh);
    return openPostgres({ url: fresh.url, poolSize: 4 });
  });
  runCdaSuite("cda on postgres", async () => {
    const fresh = await freshPostgres();
    if (fresh === undefined) throw new Error("PostgreSQL went away during the suite");
    created.push(fresh);
    return openPostgres({ url: fresh.url, poolSize: 4 });
  });
  after(async () => {
    for (const c of created) await c.drop();
  });
}
