// The apply step's judgements as pure functions: what a failure records, whether a 409 may
// be our own earlier create, and how a refused requester is stored.
import type { HybridClient } from "../adh/schemas.js";
import type { AuditEventType } from "../store/audit-event.js";
import { APPLIED_EVENT } from "./lifecycle.js";
import type { HybridClientRequest, RequestError, RequestKind } from "./model.js";
import type { RequesterRefusal } from "./outcomes.js";

/** What applying one kind did: done, lost the lease to another replica, or failed. */
export type Applied = "done" | "lost" | { failed: Omit<RequestError, "at"> };

/** Per-kind work in ADH; `stillMine` renews the lease and says whether we still hold it. */
export type Applier = (
  request: HybridClientRequest,
  stillMine: () => Promise<boolean>,
  earlierAttempt: boolean,
) => Promise<Applied>;

/** The audit event each kind records when its apply succeeded (see README). */
export const APPLIED_EVENTS: Record<RequestKind, AuditEventType> = {
  "new-client": "client.created",
  "new-secret": "request.applied",
  ...APPLIED_EVENT,
};

/** What a failure's audit event says: the code and ADH's answer (never a secret). */
export function failureDetails(r: HybridClientRequest) {
  return {
    code: r.error?.code ?? null,
    error: r.error?.message ?? "",
    operationId: r.error?.operationId ?? null,
  };
}

/** Could an earlier attempt of this request have created the client in ADH? */
export function earlierAttemptMayHaveApplied(r: HybridClientRequest): boolean {
  const e = r.error;
  if (!e) return false;
  // The client was created and only the DM failed.
  if (e.code === "dm-undelivered") return true;
  if (e.code !== undefined) return false;
  return e.status === undefined || e.status === 408 || e.status >= 500;
}

/** Does the client in ADH hold exactly what was approved? (ADH omits false/defaults.) */
export function matchesRequest(c: HybridClient, r: HybridClientRequest): boolean {
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
  return (
    c.Name === r.client.name &&
    sameSet(c.RedirectUris, r.client.redirectUris) &&
    sameSet(c.PostLogoutRedirectUris, r.client.postLogoutRedirectUris) &&
    (c.AccessTokenLifetime ?? 3600) === r.client.accessTokenLifetime &&
    (c.AllowOfflineAccess ?? false) === r.client.allowOfflineAccess
  );
}

/** The requester may no longer ask: stored as a code, with what the Slack layer words. */
export function requesterFailure(refusal: RequesterRefusal): Omit<RequestError, "at"> {
  switch (refusal.code) {
    case "unknown-user":
      return { code: "requester-unknown-user", message: refusal.email };
    case "adh-unavailable":
      return { code: "requester-adh-unavailable", message: refusal.detail };
    case "no-email":
      return { code: "requester-no-email", message: "" };
    case "not-admin":
      return { code: "requester-not-admin", message: "" };
  }
}
