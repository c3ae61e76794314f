/** Rendering results: JSON, CSV (RFC 4180) and aligned text tables for the terminal. */
import cliProgress from "cli-progress";

export type OutputFormat = "table" | "json" | "csv";

export { csvCell, toCsv, toJson } from "../core/textFormats.js";

/** A text table with right-aligned numbers. */
export function toTable(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): string {
  const cells = rows.map((row) =>
    columns.map((c) => (row[c] === null || row[c] === undefined ? "" : String(row[c]))),
  );
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] as string).length)),
  );
  const looksNumeric = (v: unknown) =>
    typeof v === "number" ||
    v === null ||
    v === undefined ||
    (typeof v === "string" && /^-?[\d.,]+%?$/.test(v));
  const numeric = columns.map(
    (c) =>
      rows.length > 0 &&
      rows.every((r) => looksNumeric(r[c])) &&
      rows.some((r) => r[c] !== null && r[c] !== undefined),
  );
  const fmt = (values: readonly string[], header: boolean) =>
    values
      .map((v, i) =>
        !header && numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  const out = [fmt(columns, true), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of cells) out.push(fmt(r, false));
  return `${out.join("\n")}\n`;
}

/** `key  value` lines, keys padded to one column. */
export function toKeyValues(pairs: readonly [string, unknown][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return `${pairs.map(([k, v]) => `${k.padEnd(width)}  ${v === null || v === undefined ? "-" : String(v)}`).join("\n")}\n`;
}

/** A two-column table of labelled values ("", "value"). */
export function keyValues(rows: readonly [string, string | number | null][]): string {
  return toTable(
    ["", "value"],
    rows.map(([k, v]) => ({ "": k, value: v })),
  );
}

/** A progress bar on stderr when it is a terminal, else undefined. */
export function progressBar(
  ctx: { readonly io: { readonly stderr: { readonly isTTY?: boolean } } },
  format: string,
): cliProgress.SingleBar | undefined {
  if (ctx.io.stderr.isTTY !== true) return undefined;
  return new cliProgress.SingleBar(
    {
      format,
      hideCursor: true,
      stream: ctx.io.stderr as unknown as NodeJS.WriteStream,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
}
