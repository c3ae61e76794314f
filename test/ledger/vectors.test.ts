import { buildLedger } from "../support/ledgerFixtures.js";
import { vectorTests } from "../support/vectorCases.js";

vectorTests({
  dir: "ledger",
  label: "vector",
  golden: "golden: today's code writes the valid vector byte for byte",
  writeValid: async (dir) => (await buildLedger(dir, 3)).close(),
});
