import { openPglite } from "../../src/store/sql/pglite.js";
import { runLiveSuite } from "./liveSuite.js";

runLiveSuite("live on pglite", () => openPglite());
