// An ADH API call as AdhClient describes it, the reply the transport hands back, and the
// call as the transport sends it (API calls and the token request alike).
import type { IncomingHttpHeaders } from "node:http";

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

export interface PreparedCall {
  route: string;
  method: HttpMethod;
  url: URL;
  body: string | undefined;
  contentType: string | undefined;
  retry: AdhCall["retry"];
  passStatuses: readonly number[];
  authorize: boolean;
}
