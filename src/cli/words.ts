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
  forecast: "--forecast",
  dr_start: "--dr-start",
  dr_end: "--dr-end",
  pv_kwp: "--pv-kwp",
  train_cycles: "--train-cycles",
  horizon: "--horizon",
  models: "--models",
  train_days: "--train-days",
};

function detail(error: GridshareError, key: string): unknown {
  return error.details?.[key];
}

/** The message the command line prints for `error` (after "gridshare: "). */
export function cliMessage(error: GridshareError): string {
  switch (error.code) {
    case "E_KEY_FILE_EXISTS":
    case "E_FILE_EXISTS":
      return `${error.message} (use --force to replace it)`;
    case "E_LEDGER_HEAD_MISSING":
      return `${error.message}; see what can be kept: gridshare ledger repair ${String(detail(error, "dir"))}`;
    case "E_LEDGER_TAMPERED":
      return detail(error, "repairable") === true
        ? `${error.message}; see what can be kept: gridshare ledger repair ${String(detail(error, "dir"))}`
        : error.message;
    case "E_LEDGER_NOT_FOUND":
      return `${error.message}; create one with gridshare clear --ledger ${String(detail(error, "dir"))}`;
    default:
      return withFlag(error);
  }
}

/** `field: ...` as `--flag: ...` when `details.field` names an argument that is a flag here. */
function withFlag(error: GridshareError): string {
  const field = detail(error, "field");
  const flag = typeof field === "string" ? FLAG_OF_FIELD[field] : undefined;
  if (flag === undefined) return error.message;
  const prefix = `${field as string}: `;
  const rest = error.message.startsWith(prefix)
    ? error.message.slice(prefix.length)
    : error.message;
  return `${flag}: ${rest}`;
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

/** The system error codes that mean the path given is in the way: the user's input, exit 2. */
const PATH_IN_THE_WAY = new Set(["EEXIST", "ENOTDIR", "EISDIR"]);
/** The ones that mean the machine will not take the write: the environment, exit 1. */
const CANNOT_WRITE: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device; free some space or write elsewhere",
  EDQUOT: "the disk quota is used up; free some space or write elsewhere",
  EACCES: "permission denied; choose a folder you can write to",
  EPERM: "not permitted; choose a folder you can write to",
  EROFS: "the file system is read-only; choose a folder you can write to",
};

/**
 * One plain line for a failed file operation (Node's system errors carry `code`, `syscall` and
 * `path`), with its exit code; undefined for anything else.
 */
export function systemErrorWords(
  error: unknown,
): { message: string; exitCode: number } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== "string") return undefined;
  const what = syscall === "open" || syscall === "mkdir" || syscall === "write" ? "write" : syscall;
  const where = typeof path === "string" ? ` ${path}` : "";
  if (PATH_IN_THE_WAY.has(code) && where !== "")
    return {
      message: `cannot ${what ?? "write"}${where}: ${code === "EISDIR" ? "it is a folder" : "a file is in the way (the path, or a folder above it, is a file)"}; choose another path`,
      exitCode: 2,
    };
  const reason = CANNOT_WRITE[code];
  if (reason !== undefined)
    return { message: `cannot ${what ?? "write"} ${path}: ${reason}`, exitCode: 1 };
  return undefined;
}
