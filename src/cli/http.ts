/**
 * The command line's client of a live platform (`--server URL`): JSON in and out over Node's
 * fetch, every request bounded by a timeout. A refusal (problem+json) becomes an error whose
 * message is the problem's detail after its code and status ("E_GATE_CLOSED (409): ..."), exit 2
 * for a 4xx and 1 for a 5xx; a server that cannot be reached is `E_SERVER_UNREACHABLE` naming the
 * URL, exit 1.
 */
import { type ErrorCode, GridshareError, InputError } from "../core/errors.js";
import { type FlagReader, usageError } from "./flags.js";

/** How long one request may take, answer included (a ledger's log gets its own, longer bound). */
const TIMEOUT_MS = 30_000;

export interface ServerClient {
  /** The server's base URL, without a trailing slash. */
  readonly url: string;
  /** GET `path`: its JSON answer; with a session token, as that member. */
  get(path: string, token?: string): Promise<unknown>;
  /** POST `body` as JSON to `path`: the status (201 new, 200 the same as before) and the answer. */
  post(path: string, body: unknown): Promise<{ status: number; json: unknown }>;
  /** DELETE `path` with a signed document as its body: the answer. */
  delete(path: string, body: unknown): Promise<{ status: number; json: unknown }>;
  /** GET `path`: its bytes (application/octet-stream). */
  bytes(path: string, timeoutMs?: number): Promise<Uint8Array>;
}

/** `--server`: an http or https URL (a path prefix is kept, a query or fragment refused). */
export const serverUrl: FlagReader<string> = (text, flag) => {
  const expected = "the server's http:// or https:// URL, e.g. http://127.0.0.1:8080";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(flag, expected, text);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash)
    throw usageError(flag, expected, text);
  return url.href.replace(/\/+$/, "");
};

/** The client of the server at `url` (as `serverUrl` read it). */
export function serverClient(url: string): ServerClient {
  return {
    url,
    get: async (path, token) => {
      const headers: Record<string, string> =
        token === undefined ? {} : { authorization: `Bearer ${token}` };
      return (await exchange(url, path, { method: "GET", headers }, TIMEOUT_MS, "json")).json;
    },
    post: (path, body) => send(url, "POST", path, body),
    delete: (path, body) => send(url, "DELETE", path, body),
    bytes: async (path, timeoutMs = TIMEOUT_MS) =>
      (await exchange(url, path, { method: "GET" }, timeoutMs, "bytes")).bytes,
  };
}

async function send(
  url: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const init = {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
  const answer = await exchange(url, path, init, TIMEOUT_MS, "json");
  return { status: answer.status, json: answer.json };
}

interface Answer {
  readonly status: number;
  readonly json: unknown;
  readonly bytes: Uint8Array;
}

/** One request and its whole answer, within `timeoutMs`; a refusal or a failure thrown as ours. */
async function exchange(
  base: string,
  path: string,
  init: RequestInit,
  timeoutMs: number,
  read: "json" | "bytes",
): Promise<Answer> {
  const url = `${base}${path}`;
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw refusal(response, url, await response.text());
    if (read === "bytes")
      return { status: response.status, json: null, bytes: await bytesOf(response) };
    return { status: response.status, json: jsonOf(await response.text(), url), bytes: EMPTY };
  } catch (error) {
    if (error instanceof GridshareError) throw error;
    throw unreachable(base, error, timeoutMs);
  }
}

const EMPTY = new Uint8Array(0);

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

function jsonOf(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GridshareError(
      "E_SERVER_RESPONSE_INVALID",
      `${url} answered with something that is not JSON (is it a gridshare server?)`,
    );
  }
}

interface ProblemDocument {
  readonly code: string;
  readonly detail: string;
}

function isProblem(value: unknown): value is ProblemDocument {
  const p = value as Partial<ProblemDocument> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.code === "string" &&
    /^E_[A-Z0-9_]+$/.test(p.code) &&
    typeof p.detail === "string"
  );
}

/**
 * The error for a 4xx or 5xx answer. The code is the server's own (gridshare's codes; a newer
 * server's code is carried as it came), so the command line and the API say the same thing.
 */
function refusal(response: Response, url: string, text: string): GridshareError {
  const status = response.status;
  let problem: unknown;
  try {
    problem = JSON.parse(text);
  } catch {
    problem = undefined;
  }
  const ErrorClass = status < 500 ? InputError : GridshareError;
  if (!isProblem(problem))
    return new ErrorClass(
      "E_SERVER_RESPONSE_INVALID",
      `${url} answered ${status} ${response.statusText} without a problem document (is it a gridshare server?)`,
      { details: { status } },
    );
  return new ErrorClass(
    problem.code as ErrorCode,
    `${problem.code} (${status}): ${problem.detail}`,
    {
      details: { status, problem },
    },
  );
}

/** A request that got no answer: refused, unresolved, reset or timed out, in words. */
function unreachable(base: string, error: unknown, timeoutMs: number): GridshareError {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const reason =
    e.name === "TimeoutError"
      ? `no answer within ${timeoutMs / 1000} s`
      : e.cause?.code === "ECONNREFUSED"
        ? "connection refused (is the server running, on that port?)"
        : (e.cause?.message ?? e.message ?? String(error));
  return new GridshareError(
    "E_SERVER_UNREACHABLE",
    `cannot reach the server at ${base}: ${reason}`,
    {
      cause: error,
      details: { url: base },
    },
  );
}
