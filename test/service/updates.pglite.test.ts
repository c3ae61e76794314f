import { openPglite } from "../../src/store/sql/pglite.js";
import { runUpdatesSuite } from "./updatesSuite.js";

runUpdatesSuite("updates on pglite", () => openPglite());
