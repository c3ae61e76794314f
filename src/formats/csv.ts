/**
 * CSV (RFC 4180) for data files: a header row, comma-separated cells, quoted cells with ""
 * escapes, optional comment lines (e.g. "#" in the IEEE feeder files). Errors name the file and
 * the line.
 */
import { InputError } from "../core/errors.js";

export interface CsvTable {
  readonly file: string;
  /** Column names, trimmed. An empty header cell stays "" (Ausgrid's timestamp column). */
  readonly header: readonly string[];
  /** Cells by column. */
  readonly columns: readonly string[][];
  /** The 1-based line in the file of each data row. */
  readonly lines: Int32Array;
  readonly rowCount: number;
}

function splitQuoted(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cell);
      cell = "";
    } else cell += c;
  }
  out.push(cell);
  return out;
}

export interface CsvOptions {
  /** Lines starting with this are skipped (before and after the header). */
  readonly comment?: string;
  /**
   * Which columns to keep, chosen from the header; the others are checked for their count but
   * not stored (a year of minutes needs two columns, not every cell). Default: all.
   */
  readonly keep?: (header: readonly string[]) => readonly number[];
}

/** Parses CSV text. Rows with a different number of cells than the header are an error. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvTable {
  const hasQuotes = text.includes('"');
  let header: string[] | undefined;
  let keep: boolean[] = [];
  const columns: string[][] = [];
  const lines: number[] = [];
  const wrongCount = (lineNo: number, found: number) =>
    new InputError(
      "E_DATA_INVALID",
      `${file}, line ${lineNo}: expected ${(header as string[]).length} cells like the header, found ${found}`,
    );
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    lineNo++;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const start = pos;
    pos = end + 1;
    if (
      lineEnd === start ||
      (text.charCodeAt(start) <= 32 && text.slice(start, lineEnd).trim() === "")
    )
      continue;
    if (options.comment !== undefined && text.startsWith(options.comment, start)) continue;
    if (header === undefined || hasQuotes) {
      const line = text.slice(start, lineEnd);
      const cells = line.includes('"') ? splitQuoted(line) : line.split(",");
      if (header === undefined) {
        header = cells.map((c) => c.trim());
        const chosen = new Set(options.keep ? options.keep(header) : header.map((_, i) => i));
        keep = header.map((_, i) => chosen.has(i));
        for (let i = 0; i < header.length; i++) columns.push([]);
        continue;
      }
      if (cells.length !== header.length) throw wrongCount(lineNo, cells.length);
      for (let i = 0; i < cells.length; i++)
        if (keep[i]) (columns[i] as string[]).push(cells[i] as string);
    } else {
      // No quotes anywhere: walk the commas and cut out only the cells kept.
      let c = 0;
      let from = start;
      for (;;) {
        const comma = text.indexOf(",", from);
        const cellEnd = comma < 0 || comma > lineEnd ? lineEnd : comma;
        if (keep[c]) (columns[c] as string[]).push(text.slice(from, cellEnd));
        c++;
        if (cellEnd === lineEnd) break;
        from = cellEnd + 1;
      }
      if (c !== header.length) throw wrongCount(lineNo, c);
    }
    lines.push(lineNo);
  }
  if (header === undefined)
    throw new InputError("E_DATA_INVALID", `${file}: no header row (the file is empty)`);
  return { file, header, columns, lines: Int32Array.from(lines), rowCount: lines.length };
}

/** The index of a column by name, case-insensitive; throws naming the columns there are. */
export function columnIndex(table: Pick<CsvTable, "file" | "header">, name: string): number {
  let i = table.header.indexOf(name);
  if (i < 0) i = table.header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  if (i < 0) {
    throw new InputError(
      "E_DATA_INVALID",
      `${table.file}: no column ${JSON.stringify(name)} (columns: ${table.header.map((h) => JSON.stringify(h)).join(", ")})`,
    );
  }
  return i;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A finite decimal number written out (`12`, `-0.5`, `1e3`), or undefined: not `""`, `NaN`,
 * `Infinity`, hex or words, which `Number()` would turn into 0, NaN or a surprise.
 */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * A numeric column. Empty cells become NaN when `allowEmpty`; anything else that is not a
 * number is an error naming the line.
 */
export function numberColumn(
  table: CsvTable,
  name: string,
  options: { allowEmpty?: boolean } = {},
): Float64Array {
  const cells = table.columns[columnIndex(table, name)] as string[];
  const out = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const cell = (cells[r] as string).trim();
    if (cell === "") {
      if (options.allowEmpty) {
        out[r] = Number.NaN;
        continue;
      }
      throw new InputError(
        "E_DATA_INVALID",
        `${table.file}, line ${table.lines[r]}, column ${JSON.stringify(name)}: expected a number, the cell is empty`,
      );
    }
    const v = parseDecimal(cell);
    if (v === undefined) {
      throw new InputError(
        "E_DATA_INVALID",
        `${table.file}, line ${table.lines[r]}, column ${JSON.stringify(name)}: expected a number, received ${JSON.stringify(cell)}`,
      );
    }
    out[r] = v;
  }
  return out;
}
