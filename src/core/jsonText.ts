/**
 * Reading JSON text as the user wrote it: syntax errors with their line and column, and the one
 * check JSON.parse does not make, a key given twice in one object (JSON.parse keeps the last one
 * silently, so `"energy_kwh": 1.2, "energy_kwh": 99` would clear 99).
 */
import { InputError } from "./errors.js";

/** Where a key is repeated inside one object of valid JSON text, or undefined. */
export function findDuplicateKey(
  text: string,
): { key: string; line: number; column: number } | undefined {
  const stack: { keys: Set<string> | undefined; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) stack.push({ keys: new Set(), expectKey: true });
    else if (c === 91 /* [ */) stack.push({ keys: undefined, expectKey: false });
    else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    } else if (c === 34 /* " */) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92 /* \ */) i++;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) {
          const before = text.slice(0, start);
          return {
            key,
            line: before.split("\n").length,
            column: start - before.lastIndexOf("\n"),
          };
        }
        top.keys.add(key);
        top.expectKey = false;
      }
    }
  }
  return undefined;
}

/** Parses JSON, reporting a syntax error or a key given twice with its line and column. */
export function parseJsonText(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const m = /at position (\d+)/.exec(message);
    let where = "";
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split("\n").length;
      const column = pos - before.lastIndexOf("\n");
      where = ` at line ${line}, column ${column}`;
    }
    const what = message
      .replace(/\s*(in JSON )?at position \d+.*$/, "")
      .replace(/ \(line \d+ column \d+\)$/, "");
    throw new InputError("E_INPUT", `${source}: not valid JSON${where}: ${what}`);
  }
  const twice = findDuplicateKey(text);
  if (twice !== undefined)
    throw new InputError(
      "E_INPUT",
      `${source}: line ${twice.line}, column ${twice.column}: the key ${JSON.stringify(twice.key)} is given twice in one object (which one was meant?)`,
    );
  return value;
}
