import { after } from "node:test";
import { openPostgres } from "../../src/store/sql/postgres.js";
import { type FreshPostgres, freshPostgres } from "../support/postgres.js";
import { runKeysSuite } from "./keysSuite.js";

const created: FreshPostgres[] = [];
const probe = await freshPostgres();
if (probe !== undefined) {
  created.push(probe);
  runKeysSuite("keys on postgres", async () => {
    const fresh = await freshPostgres();
    if (fresh === undefined) throw new Error("PostgreSQL went away during the suite");
    created.push(fresh);
    return openPostgres({ url: fresh.url, poolSize: 4 });
  });
  after(async () => {
    for (const c of created) await c.drop();
  });
}
