/**
 * The CLI's view of the outside world, injectable so that commands run in-process in tests:
 * results go to stdout, messages and progress to stderr.
 */

import { readFile } from "node:fs/promises";
import { InputError } from "../core/errors.js";
import { parseJsonText } from "../core/jsonText.js";
import { fileReason } from "../formats/inputFile.js";
import { writeFileAtomic } from "../store/atomicFile.js";

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  /** Current working directory, for resolving relative paths. */
  readonly cwd: string;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a text file, or standard input for `-`. Throws `InputError` (E_FILE) when unreadable,
 * and (E_INPUT) when a file is not valid UTF-8: its bytes are never replaced silently.
 */
export async function readTextInput(io: CliIo, path: string): Promise<string> {
  if (path === "-") return io.readStdin();
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError("E_FILE", `cannot read ${path}: ${fileReason(error)}`, { cause: error });
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    // Byte by byte, streaming (an incomplete character is not yet an error): the first bad byte.
    const stream = new TextDecoder("utf-8", { fatal: true });
    let at = 0;
    try {
      for (; at < bytes.length; at++) stream.decode(bytes.subarray(at, at + 1), { stream: true });
    } catch {
      // `at` is the byte where the text stops being UTF-8
    }
    throw new InputError(
      "E_INPUT",
      `${path}: not valid UTF-8 (at byte ${at}); save the file as UTF-8`,
    );
  }
}

export { parseJsonText } from "../core/jsonText.js";

/** Reads and parses a JSON file or standard input. */
export async function readJsonInput(io: CliIo, path: string): Promise<unknown> {
  const text = await readTextInput(io, path);
  return parseJsonText(text, path === "-" ? "standard input" : path);
}

export { readInputFile } from "../formats/inputFile.js";
export { writeFileAtomic };

/** Writes an output file atomically and says so on stderr (`wrote <path>`). */
export async function writeOutputFile(
  io: CliIo,
  path: string,
  text: string | Uint8Array,
): Promise<void> {
  await writeFileAtomic(path, text);
  io.stderr.write(`wrote ${path}\n`);
}
