// One HTTP exchange with ADH, made reliable: bearer token, retries with backoff where a
// repeat cannot do harm, a total deadline, one log line and one metrics observation per
// attempt. Bodies are never logged: token, create and secret responses carry secrets.
import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { proxyAwareAgent } from "../net/proxy.js";
import { backoffDelayMs, parseRetryAfterMs } from "./backoff.js";
import { AdhError } from "./errors.js";
import { type ErrorBody, ErrorBodySchema, TokenResponseSchema } from "./schemas.js";
import { TokenCache } from "./token.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface AdhCall {
  /** Route template for logs, metrics and errors, e.g. "GET /HybridClients/:id". */
  route: string;
  method: HttpMethod;
  /** Path below /api/v1/Tenants/{tenantId}, e.g. `/HybridClients/${id}` (already encoded). */
  path: string;
  query?: Record<string, string | number | readonly string[] | undefined>;
  json?: unknown;
  /**
   * "idempotent": repeated after 408/429/5xx and network errors.
   * "not-idempotent": a repeat could apply the change twice, so it is repeated only when
   * ADH surely did not apply it: 429, 503 with Retry-After, or no connection made.
   */
  retry: "idempotent" | "not-idempotent";
  /** Statuses handed back to the caller instead of thrown, e.g. 404 on a get. */
  passStatuses?: readonly number[];
}

export interface AdhReply {
  status: number;
  /** Parsed JSON; undefined for an empty body. */
  body: unknown;
  headers: IncomingHttpHeaders;
  operationId: string | undefined;
  /** An earlier attempt of this call ended in a way that may have applied it (timeout, 5xx, dropped connection). */
  earlierAttemptMayHaveApplied: boolean;
}

export interface TransportSettings {
  baseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; deadlineMs: number };
  timeouts: { connectMs: number; headersMs: number; bodyMs: number };
  onCall:
    | ((call: { route: string; status: number | "network"; durationMs: number }) => void)
    | undefined;
  /** Clock for token expiry only (tests move it); deadlines use the monotonic clock. */
  now: () => number;
}

interface PreparedCall {
  route: string;
  method: HttpMethod;
  url: URL;
  body: string | undefined;
  contentType: string | undefined;
  retry: AdhCall["retry"];
  passStatuses: readonly number[];
  authorize: boolean;
}

type AttemptOutcome =
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

export const TOKEN_ROUTE = "POST /token";

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

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class AdhTransport {
  private readonly agent: Dispatcher;
  private readonly tokens: TokenCache;
  private readonly log: Logger;
  private readonly apiBase: string;
  private readonly tokenUrl: URL;

  constructor(private readonly settings: TransportSettings) {
    const base = settings.baseUrl.replace(/\/+$/, "");
    this.apiBase = `${base}/api/v1/Tenants/${encodeURIComponent(settings.tenantId)}`;
    this.tokenUrl = new URL(`${base}/identity/connect/token`);
    this.log = settings.logger.child({ component: "adh" });
    this.agent = proxyAwareAgent({
      connections: 32,
      keepAliveTimeout: 4_000,
      connect: { timeout: settings.timeouts.connectMs },
      headersTimeout: settings.timeouts.headersMs,
      bodyTimeout: settings.timeouts.bodyMs,
    });
    this.tokens = new TokenCache(() => this.fetchToken(), settings.now);
  }

  getToken(): Promise<string> {
    return this.tokens.get();
  }

  /** Closes the connections; requests still in flight after `graceMs` are aborted. */
  async close(graceMs = 1_000): Promise<void> {
    const closed = this.agent.close().then(
      () => true,
      () => true,
    );
    const late = sleep(graceMs, false);
    if (!(await Promise.race([closed, late]))) await this.agent.destroy().catch(() => undefined);
  }

  /** Sends an API call; 2xx and `passStatuses` come back, anything else throws AdhError. */
  send(call: AdhCall): Promise<AdhReply> {
    const url = new URL(`${this.apiBase}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value])
        url.searchParams.append(key, String(v));
    }
    return this.execute({
      route: call.route,
      method: call.method,
      url,
      body: call.json === undefined ? undefined : JSON.stringify(call.json),
      contentType: call.json === undefined ? undefined : "application/json",
      retry: call.retry,
      passStatuses: call.passStatuses ?? [],
      authorize: true,
    });
  }

  /** Parses a reply body; a shape we do not understand is an AdhError naming only field paths (never values). */
  parse<T>(schema: z.ZodType<T>, reply: AdhReply, route: string): T {
    const parsed = schema.safeParse(reply.body);
    if (parsed.success) return parsed.data;
    const paths = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(body)"))];
    throw new AdhError({
      route,
      status: reply.status,
      operationId: reply.operationId,
      error: "ADH sent a response the bot does not understand.",
      reason: `Unexpected fields: ${paths.slice(0, 5).join(", ")}.`,
      resolution: "Report this to the bot's maintainers with the Operation-Id.",
      retryable: false,
    });
  }

  /** AdhError from a non-2xx reply; tolerates empty and non-JSON bodies. */
  errorFrom(route: string, reply: Pick<AdhReply, "status" | "body" | "operationId">): AdhError {
    const parsed = ErrorBodySchema.safeParse(reply.body);
    const body: ErrorBody = parsed.success ? parsed.data : {};
    return new AdhError({
      route,
      status: reply.status,
      operationId: body.OperationId ?? reply.operationId,
      error: body.Error ?? body.error,
      reason: body.Reason ?? body.error_description,
      resolution: body.Resolution,
    });
  }

  private async fetchToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
    });
    const reply = await this.execute({
      route: TOKEN_ROUTE,
      method: "POST",
      url: this.tokenUrl,
      body: form.toString(),
      contentType: "application/x-www-form-urlencoded",
      // Asking for a token twice does no harm.
      retry: "idempotent",
      passStatuses: [],
      authorize: false,
    }).catch((err: unknown) => {
      if (err instanceof AdhError && (err.error === "invalid_client" || err.status === 401)) {
        throw new AdhError({
          route: err.route,
          status: err.status,
          operationId: err.operationId,
          error: "ADH rejected the bot's client credentials (invalid_client).",
          resolution:
            "Check ADH_CLIENT_ID and ADH_CLIENT_SECRET, and that the client still exists.",
          retryable: false,
        });
      }
      throw err;
    });
    const token = this.parse(TokenResponseSchema, reply, TOKEN_ROUTE);
    return { accessToken: token.access_token, expiresInSeconds: token.expires_in };
  }

  private async execute(call: PreparedCall): Promise<AdhReply> {
    const { maxAttempts, deadlineMs } = this.settings.retry;
    const deadline = performance.now() + deadlineMs;
    let attempt = 0;
    let reauthorized = false;
    let mayHaveApplied = false;

    for (;;) {
      attempt += 1;
      const token = call.authorize ? await this.tokens.get() : undefined;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw this.deadlineError(call.route);
      const outcome = await this.attempt(call, token, remaining, attempt);

      if (outcome.kind === "network") {
        const err = new AdhError({
          route: call.route,
          networkProblem: outcome.problem,
          retryable: !outcome.closing,
          cause: outcome.cause,
        });
        const mayRetry =
          !outcome.closing &&
          !outcome.deadlinePassed &&
          (call.retry === "idempotent" || !outcome.sent);
        if (outcome.sent) mayHaveApplied = true;
        if (!mayRetry) throw err;
        await this.pauseBeforeRetry(call.route, attempt, maxAttempts, undefined, deadline, err);
        continue;
      }

      const operationId = header(outcome.headers, "operation-id");
      let body: unknown;
      try {
        body = outcome.text === "" ? undefined : JSON.parse(outcome.text);
      } catch {
        body = undefined;
        if (outcome.status >= 200 && outcome.status < 300) {
          throw new AdhError({
            route: call.route,
            status: outcome.status,
            operationId,
            error: "ADH sent a response that is not JSON.",
            retryable: false,
          });
        }
      }
      const reply: AdhReply = {
        status: outcome.status,
        body,
        headers: outcome.headers,
        operationId,
        earlierAttemptMayHaveApplied: mayHaveApplied,
      };
      if ((reply.status >= 200 && reply.status < 300) || call.passStatuses.includes(reply.status)) {
        return reply;
      }
      if (reply.status === 401 && token !== undefined && !reauthorized) {
        // Expired or revoked early: one fresh token, one more try, not counted as a retry.
        reauthorized = true;
        this.tokens.invalidate(token);
        attempt -= 1;
        continue;
      }

      const err = this.errorFrom(call.route, reply);
      const retryAfterMs = parseRetryAfterMs(outcome.headers["retry-after"]);
      const surelyNotApplied =
        reply.status === 429 || (reply.status === 503 && retryAfterMs !== undefined);
      const mayRetry = err.retryable && (call.retry === "idempotent" || surelyNotApplied);
      if (reply.status === 408 || reply.status >= 500) mayHaveApplied = true;
      if (!mayRetry) throw err;
      await this.pauseBeforeRetry(call.route, attempt, maxAttempts, retryAfterMs, deadline, err);
    }
  }

  /** Waits before the next attempt, or throws `err` when attempts or time are used up. */
  private async pauseBeforeRetry(
    route: string,
    attempt: number,
    maxAttempts: number,
    retryAfterMs: number | undefined,
    deadline: number,
    err: AdhError,
  ): Promise<void> {
    if (attempt >= maxAttempts) throw err;
    // After a Retry-After, a little jitter on top keeps replicas from returning in step.
    const delayMs =
      retryAfterMs === undefined
        ? backoffDelayMs(attempt, this.settings.retry)
        : retryAfterMs + Math.floor(Math.random() * this.settings.retry.baseDelayMs);
    // Waiting past the deadline (e.g. a long Retry-After) would only delay the failure.
    if (performance.now() + delayMs >= deadline) throw err;
    this.log.debug({ route, attempt, delayMs, status: err.status ?? "network" }, "adh retry");
    await sleep(delayMs);
  }

  private deadlineError(route: string): AdhError {
    return new AdhError({
      route,
      networkProblem: `no answer within the ${Math.round(this.settings.retry.deadlineMs / 1000)} s deadline`,
    });
  }

  private async attempt(
    call: PreparedCall,
    token: string | undefined,
    remainingMs: number,
    attempt: number,
  ): Promise<AttemptOutcome> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": "hybrid-client-bot",
    };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (call.contentType !== undefined) headers["content-type"] = call.contentType;
    const signal = AbortSignal.timeout(Math.max(1, Math.ceil(remainingMs)));
    const started = performance.now();
    let outcome: AttemptOutcome;
    try {
      const res = await this.agent.request({
        origin: call.url.origin,
        path: `${call.url.pathname}${call.url.search}`,
        method: call.method,
        headers,
        body: call.body,
        signal,
      });
      const text = await res.body.text();
      outcome = { kind: "response", status: res.statusCode, headers: res.headers, text };
    } catch (cause) {
      const code = errorCode(cause);
      const problem = signal.aborted
        ? `no answer within the ${Math.round(this.settings.retry.deadlineMs / 1000)} s deadline`
        : ((code && PROBLEM_WORDS[code]) ?? `network error${code ? ` ${code}` : ""}`);
      outcome = {
        kind: "network",
        problem,
        sent: !(code && NOT_SENT_CODES.has(code)),
        deadlinePassed: signal.aborted,
        closing: code !== undefined && CLOSING_CODES.has(code),
        cause,
      };
    }
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const status = outcome.kind === "response" ? outcome.status : "network";
    const operationId =
      outcome.kind === "response" ? header(outcome.headers, "operation-id") : undefined;
    this.log.debug(
      {
        route: call.route,
        status,
        ms: durationMs,
        operationId,
        attempt,
        ...(outcome.kind === "network" ? { problem: outcome.problem } : {}),
      },
      "adh call",
    );
    this.settings.onCall?.({ route: call.route, status, durationMs });
    return outcome;
  }
}
