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
}

/** Parses CSV text. Rows with a different number of cells than the header are an error. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvTable {
  const rawLines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const columns: string[][] = [];
  const lines: number[] = [];
  for (let n = 0; n < rawLines.length; n++) {
    const line = rawLines[n] as string;
    if (line.trim() === "") continue;
    if (options.comment !== undefined && line.startsWith(options.comment)) continue;
    const cells = line.includes('"') ? splitQuoted(line) : line.split(",");
    if (header === undefined) {
      header = cells.map((c) => c.trim());
      for (let i = 0; i < header.length; i++) columns.push([]);
      continue;
    }
    if (cells.length !== header.length) {
      throw new InputError(
        "E_DATA_INVALID",
        `${file}, line ${n + 1}: expected ${header.length} cells like the header, found ${cells.length}`,
      );
    }
    for (let i = 0; i < cells.length; i++) (columns[i] as string[]).push(cells[i] as string);
    lines.push(n + 1);
  }
  if (header === undefined)
    throw new InputError("E_DATA_INVALID", `${file}: no header row (the file is empty)`);
  return { file, header, columns, lines: Int32Array.from(lines), rowCount: lines.length };
}

/** The index of a column by name, case-insensitive; throws naming the columns there are. */
export function columnIndex(table: CsvTable, name: string): number {
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
    const v = Number(cell);
    if (!Number.isFinite(v)) {
      throw new InputError(
        "E_DATA_INVALID",
        `${table.file}, line ${table.lines[r]}, column ${JSON.stringify(name)}: expected a number, received ${JSON.stringify(cell)}`,
      );
    }
    out[r] = v;
  }
  return out;
}
