import { postgresDatabases } from "../support/postgres.js";
import { runCdaSuite } from "./cdaSuite.js";
import { runLiveSuite } from "./liveSuite.js";

const open = await postgresDatabases();
if (open !== undefined) {
  runLiveSuite("live on postgres", open);
  runCdaSuite("cda on postgres", open);
}
