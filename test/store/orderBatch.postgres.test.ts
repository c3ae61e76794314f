import { postgresDatabases } from "../support/postgres.js";
import { runOrderBatchSuite } from "./orderBatchSuite.js";

const open = await postgresDatabases();
if (open !== undefined) {
  runOrderBatchSuite("postgres", open);
}
