import { LedgerWriter } from "../../src/store/ledgerStore.js";
import { appendFormat2, appendKeys } from "../support/ledger2Fixtures.js";
import { vectorTests } from "../support/vectorCases.js";

vectorTests({
  dir: "ledger2",
  label: "format-2 vector",
  golden: "golden: today's code writes the valid format-2 vector byte for byte",
  writeValid: async (dir) => {
    const writer = await LedgerWriter.open(dir, { create: true });
    appendFormat2(writer);
    await writer.close();
  },
  moreValid: {
    keys: async (dir) => {
      const writer = await LedgerWriter.open(dir, { create: true });
      appendKeys(writer);
      await writer.close();
    },
  },
});
