// Messages between the benchmark (which owns the fakes) and the load generator child
// process (which owns the sockets and the stopwatch).

/**
 * A Slack request body with `__VAR_name__` tokens, replaced per request. Values are
 * already form-encoded. `trigger` and `responseUrl` come from `minted` when set: a
 * trigger_id lives 3 s, so it is minted on the fake Slack just before it is sent.
 */
export interface RequestTemplate {
  body: string;
  /** One entry per request; the run sends `vars.length` requests when given. */
  vars?: Record<string, string>[];
  minted?: boolean;
}

export type LoadShape =
  /** Open loop: requests leave at a fixed rate whatever the answers do. */
  | { kind: "open"; ratePerSecond: number }
  /** Closed loop: this many connections, each sending its next request on an answer. */
  | { kind: "closed"; concurrency: number };

export interface RunSpec {
  /** e.g. http://127.0.0.1:3000 — several: requests go round-robin (replicas). */
  origins: string[];
  path: string;
  signingSecret: string;
  template: RequestTemplate;
  shape: LoadShape;
  count: number;
}

export interface RunResult {
  /** Per request, ms from dispatch to the whole answer; NaN where the request failed. */
  latenciesMs: number[];
  /** Per request, Date.now() at dispatch (to match against the fakes' clocks). */
  sentAtMs: number[];
  /** "200 update", "200 empty", "404 …" → count: what the answers looked like. */
  answers: Record<string, number>;
  errors: number;
  firstErrors: string[];
  durationMs: number;
  /** Open loop: how late the generator dispatched, worst case (it must keep up). */
  maxLagMs: number;
}

export interface MintedIds {
  trigger: string;
  responseUrl: string;
}

export type ToGenerator =
  | { type: "run"; id: number; spec: RunSpec }
  | { type: "minted"; items: MintedIds[] }
  | { type: "exit" };

export type FromGenerator =
  | { type: "ready" }
  | { type: "mint"; count: number }
  | { type: "result"; id: number; result: RunResult }
  | { type: "failed"; id: number; message: string };

/** A value as it appears inside a form-encoded body (URLSearchParams' encoding). */
export function encodeForm(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
