// AdhClient's options and their defaults: the transport's retry and timeout settings and
// the page sizes of the listings.
import type { Logger } from "pino";
import type { TransportSettings } from "./transport.js";

export interface AdhClientOptions {
  baseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** Defaults: 5 attempts, 200 ms base, 5000 ms max delay, 30000 ms total per call. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; deadlineMs?: number };
  /** Defaults: connect 5000 ms, headers 10000 ms, body 10000 ms. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** Observer for metrics: called once per HTTP attempt. */
  onCall?: (call: { route: string; status: number | "network"; durationMs: number }) => void;
  /** Items per page; default 100 for clients and secrets, 1000 for users (max 1000). */
  pageSize?: number;
  /** Clock used for token expiry (tests). Default Date.now. */
  now?: () => number;
}

const MAX_PAGE = 1000;

/** The transport's settings: the options with every default filled in. */
export function transportSettings(options: AdhClientOptions): TransportSettings {
  return {
    baseUrl: options.baseUrl,
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    logger: options.logger,
    retry: {
      maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 5),
      baseDelayMs: options.retry?.baseDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
      deadlineMs: options.retry?.deadlineMs ?? 30_000,
    },
    timeouts: {
      connectMs: options.timeouts?.connectMs ?? 5_000,
      headersMs: options.timeouts?.headersMs ?? 10_000,
      bodyMs: options.timeouts?.bodyMs ?? 10_000,
    },
    onCall: options.onCall,
    now: options.now ?? Date.now,
  };
}

/** Items per page of each listing: the option, or 100 for clients and 1000 for users, at most 1000. */
export function pageSizes(options: AdhClientOptions): { clients: number; users: number } {
  const size = (fallback: number) =>
    Math.min(MAX_PAGE, Math.max(1, Math.floor(options.pageSize ?? fallback)));
  return { clients: size(100), users: size(1000) };
}
