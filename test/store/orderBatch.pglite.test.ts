import { openPglite } from "../../src/store/sql/pglite.js";
import { runOrderBatchSuite } from "./orderBatchSuite.js";

runOrderBatchSuite("pglite", () => openPglite());
