/**
 * The command line's words for the errors and rejections the layers below return: where the
 * domain and the stores name a field (`tx`, `height`), the command line names its flag
 * (`--tx`, `--height`), and it adds the command to run where one helps. The one place where
 * error codes become command-line text.
 */
import { type GridshareError, InputError } from "../core/errors.js";
import type { ValidationIssue } from "../core/issues.js";
import type { Rejected } from "../ledger/admission.js";
import { invalidInput } from "./clearInput.js";

/** The flag that gives each argument a ledger query names in `details.field`. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  tx: "--tx",
  height: "--height",
  from: "--from",
  to: "--to",
  truncate_after: "--truncate-after",
};

function detail(error: GridshareError, key: string): unknown {
  return error.details?.[key];
}

/** The message the command line prints for `error` (after "gridshare: "). */
export function cliMessage(error: GridshareError): string {
  switch (error.code) {
    case "E_KEY_FILE_EXISTS":
      return `${error.message} (use --force to replace it)`;
    case "E_LEDGER_HEAD_MISSING":
      return `${error.message}; see what can be kept: gridshare ledger repair ${String(detail(error, "dir"))}`;
    case "E_LEDGER_TAMPERED":
      return detail(error, "repairable") === true
        ? `${error.message}; see what can be kept: gridshare ledger repair ${String(detail(error, "dir"))}`
        : error.message;
    case "E_LEDGER_NOT_FOUND":
      return `${error.message}; create one with gridshare clear --ledger ${String(detail(error, "dir"))}`;
    case "E_LEDGER_EMPTY":
    case "E_LEDGER_TX_NOT_FOUND":
    case "E_LEDGER_HEIGHT_OUT_OF_RANGE": {
      const field = detail(error, "field");
      const flag = typeof field === "string" ? FLAG_OF_FIELD[field] : undefined;
      if (flag === undefined) return error.message;
      return error.message.startsWith(`${field}: `)
        ? `${flag}: ${error.message.slice(`${field as string}: `.length)}`
        : `${flag}: ${error.message}`;
    }
    default:
      return error.message;
  }
}

/** What the command line says of one refused order. */
function rejectionText(r: Rejected): string {
  if (r.code === "E_LEDGER_ORDER_UNSIGNED")
    return "unsigned, and --require-signatures is set (sign it with gridshare order sign)";
  return r.message;
}

/**
 * The error `gridshare clear` exits with when orders were refused (nothing is appended): the
 * market's rules broken, one line per order naming the field (`E_ORDER_INVALID`); otherwise
 * the first order whose signature, key, expiry or nonce was refused (`E_SIGNATURE_INVALID`).
 */
export function refusal(
  rejected: readonly Rejected[],
  raw: unknown,
  source: string,
): GridshareError {
  const market = rejected.filter((r) => r.code.startsWith("E_MARKET_"));
  if (market.length > 0) {
    const issues: ValidationIssue[] = market.map((r) => ({
      path: ["orders", r.index, r.field.replace(/^order\./, "")],
      expected: r.expected,
      received: r.received,
    }));
    return invalidInput(issues, raw, source);
  }
  const first = rejected[0] as Rejected;
  return new InputError(
    "E_SIGNATURE_INVALID",
    `orders[${first.index}] (id ${JSON.stringify(first.orderId)}): ${rejectionText(first)}`,
    { details: { index: first.index, rejection: first } },
  );
}
