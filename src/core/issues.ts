/**
 * Validation results as data: a parse returns issues with a path, what was expected and what
 * was received; the edges (CLI, HTTP) turn each into one readable line.
 */

export type IssuePath = readonly (string | number)[];

export interface ValidationIssue {
  readonly path: IssuePath;
  readonly expected: string;
  readonly received: unknown;
  /** Optional extra sentence, e.g. what to do about it. */
  readonly hint?: string;
}

/** `orders[3].energy_kwh` style rendering of a path. */
export function formatPath(path: IssuePath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "(top level)" : out;
}

/** A short, safe rendering of a received value for an error message. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return String(value);
    return String(value);
  }
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return String(value);
}

/** One line: `where: expected X, received Y (hint)`. */
export function formatIssue(issue: ValidationIssue, where = formatPath(issue.path)): string {
  const hint = issue.hint ? ` (${issue.hint})` : "";
  return `${where}: expected ${issue.expected}, received ${describeReceived(issue.received)}${hint}`;
}
