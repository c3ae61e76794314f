import { openPglite } from "../../src/store/sql/pglite.js";
import { runKeysSuite } from "./keysSuite.js";

runKeysSuite("keys on pglite", () => openPglite());
