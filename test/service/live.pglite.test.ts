import { openPglite } from "../../src/store/sql/pglite.js";
import { runCdaSuite } from "./cdaSuite.js";
import { runLiveSuite } from "./liveSuite.js";

runLiveSuite("live on pglite", () => openPglite());
runCdaSuite("cda on pglite", () => openPglite());
