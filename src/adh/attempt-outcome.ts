// What one HTTP attempt at ADH came to. A failed one is sorted here: could the request have
// reached ADH (so ADH may have applied it), is the agent closing, what to call the problem.
import type { IncomingHttpHeaders } from "node:http";

export type AttemptOutcome =
  | { kind: "response"; status: number; headers: IncomingHttpHeaders; text: string }
  | {
      kind: "network";
      problem: string;
      /** Bytes may have reached ADH, so it may have applied the request. */
      sent: boolean;
      /** The deadline passed: no further attempt. */
      deadlinePassed: boolean;
      /** The agent is closing: no attempt can succeed now or later. */
      closing: boolean;
      cause: unknown;
    };

// Failures that happen before a byte of the request leaves: ADH cannot have applied it.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
// The agent is closing: trying again cannot help.
const CLOSING_CODES = new Set(["UND_ERR_CLOSED", "UND_ERR_DESTROYED"]);

const PROBLEM_WORDS: Record<string, string> = {
  ECONNRESET: "connection reset",
  ECONNREFUSED: "connection refused",
  EPIPE: "connection closed while sending",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "timed out connecting",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for a response",
  UND_ERR_BODY_TIMEOUT: "timed out reading the response",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  UND_ERR_CLOSED: "the bot is shutting down",
  UND_ERR_DESTROYED: "the bot is shutting down",
};

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === "string" ? code : undefined;
}

/** The words for a call that ran out of its total deadline. */
export function deadlineProblem(deadlineMs: number): string {
  return `no answer within the ${Math.round(deadlineMs / 1000)} s deadline`;
}

/** The outcome of an attempt that threw: `deadlinePassed` when its abort signal fired. */
export function networkOutcome(
  cause: unknown,
  deadlinePassed: boolean,
  deadlineMs: number,
): AttemptOutcome {
  const code = errorCode(cause);
  const problem = deadlinePassed
    ? deadlineProblem(deadlineMs)
    : ((code && PROBLEM_WORDS[code]) ?? `network error${code ? ` ${code}` : ""}`);
  return {
    kind: "network",
    problem,
    sent: !(code && NOT_SENT_CODES.has(code)),
    deadlinePassed,
    closing: code !== undefined && CLOSING_CODES.has(code),
    cause,
  };
}
