import { postgresDatabases } from "../support/postgres.js";
import { runStoreSuite } from "./sqlSuite.js";

const open = await postgresDatabases();
if (open !== undefined) {
  runStoreSuite({ name: "postgres", open });
}
