// One HTTP exchange with ADH, made reliable: bearer token, retries with backoff where a
// repeat cannot do harm, a total deadline, one log line and one metrics observation per
// attempt. Bodies are never logged: token, create and secret responses carry secrets.
//
// The call and reply shapes are in call.ts, reading replies in reply.ts, sorting failed
// attempts in attempt-outcome.ts, and the wait between attempts in backoff.ts.
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { proxyAwareAgent } from "../net/proxy.js";
import { type AttemptOutcome, deadlineProblem, networkOutcome } from "./attempt-outcome.js";
import { parseRetryAfterMs, retryDelayMs } from "./backoff.js";
import type { AdhCall, AdhReply, PreparedCall } from "./call.js";
import { AdhError } from "./errors.js";
import { errorFromReply, header, parseReply, replyBody } from "./reply.js";
import { TokenResponseSchema } from "./schemas.js";
import { TokenCache } from "./token.js";

export type { AdhCall, AdhReply, HttpMethod } from "./call.js";

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

export const TOKEN_ROUTE = "POST /token";

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
    return parseReply(schema, reply, route);
  }

  /** AdhError from a non-2xx reply; tolerates empty and non-JSON bodies. */
  errorFrom(route: string, reply: Pick<AdhReply, "status" | "body" | "operationId">): AdhError {
    return errorFromReply(route, reply);
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
      const body = replyBody(call.route, outcome.status, operationId, outcome.text);
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
    const delayMs = retryDelayMs(attempt, retryAfterMs, this.settings.retry);
    // Waiting past the deadline (e.g. a long Retry-After) would only delay the failure.
    if (performance.now() + delayMs >= deadline) throw err;
    this.log.debug({ route, attempt, delayMs, status: err.status ?? "network" }, "adh retry");
    await sleep(delayMs);
  }

  private deadlineError(route: string): AdhError {
    return new AdhError({ route, networkProblem: deadlineProblem(this.settings.retry.deadlineMs) });
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
      outcome = networkOutcome(cause, signal.aborted, this.settings.retry.deadlineMs);
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
