import { postgresDatabases } from "../support/postgres.js";
import { runKeysSuite } from "./keysSuite.js";

const open = await postgresDatabases();
if (open !== undefined) {
  runKeysSuite("keys on postgres", open);
}
