import { postgresDatabases } from "../support/postgres.js";
import { runUpdatesSuite } from "./updatesSuite.js";

const open = await postgresDatabases();
if (open !== undefined) {
  runUpdatesSuite("updates on postgres", open);
}
