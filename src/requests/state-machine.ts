// The request state machine as pure functions: each takes the current request and
// returns the next one (or a refusal). The store applies them atomically.
import type { HybridClientRequest, RequestError } from "./model.js";

export type Refusal =
  | { code: "already-decided"; request: HybridClientRequest }
  | { code: "already-approved-by-you" }
  | { code: "self-approval" }
  | { code: "not-requester" }
  | { code: "not-failed"; request: HybridClientRequest }
  | { code: "not-ready"; request: HybridClientRequest }
  | { code: "not-expired-yet" };

type Transition<T = Record<never, never>> =
  | ({ next: HybridClientRequest; refusal?: undefined } & T)
  | { next: null; refusal: Refusal };

const refuse = (refusal: Refusal): { next: null; refusal: Refusal } => ({ next: null, refusal });

/** Records an approval; the last one needed moves the request to `creating`. */
export function approve(
  r: HybridClientRequest,
  approverId: string,
  opts: { allowSelfApproval: boolean; now: number },
): Transition<{ final: boolean }> {
  if (r.status !== "pending") return refuse({ code: "already-decided", request: r });
  if (r.requesterId === approverId && !opts.allowSelfApproval)
    return refuse({ code: "self-approval" });
  if (r.approvals.some((a) => a.userId === approverId)) {
    return refuse({ code: "already-approved-by-you" });
  }
  const approvals = [...r.approvals, { userId: approverId, at: opts.now }];
  const final = approvals.length >= r.approvalsRequired;
  return {
    next: { ...r, approvals, status: final ? "creating" : "pending", updatedAt: opts.now },
    final,
  };
}

/** One Deny ends a pending request. */
export function deny(
  r: HybridClientRequest,
  userId: string,
  reason: string,
  now: number,
): Transition {
  if (r.status !== "pending") return refuse({ code: "already-decided", request: r });
  return { next: { ...r, status: "denied", denial: { userId, at: now, reason }, updatedAt: now } };
}

/** Only the requester cancels, and only while nobody has finished deciding. */
export function cancel(r: HybridClientRequest, userId: string, now: number): Transition {
  if (r.requesterId !== userId) return refuse({ code: "not-requester" });
  if (r.status !== "pending") return refuse({ code: "already-decided", request: r });
  return { next: { ...r, status: "cancelled", cancelledAt: now, updatedAt: now } };
}

export function expire(r: HybridClientRequest, now: number): Transition {
  if (r.status !== "pending") return refuse({ code: "already-decided", request: r });
  if (r.expiresAt > now) return refuse({ code: "not-expired-yet" });
  return { next: { ...r, status: "expired", updatedAt: now } };
}

/** ADH has the client (or the rotation is approved): the requester may reveal a secret. */
export function markCreated(r: HybridClientRequest, now: number): Transition {
  if (r.status !== "creating") return refuse({ code: "already-decided", request: r });
  return { next: { ...r, status: "created", error: null, reveal: "ready", updatedAt: now } };
}

export function markFailed(r: HybridClientRequest, error: RequestError, now: number): Transition {
  if (r.status !== "creating") return refuse({ code: "already-decided", request: r });
  return { next: { ...r, status: "failed", error, updatedAt: now } };
}

/**
 * Takes over a create that was left in `creating` (a crash or a stopped replica) once
 * its lease has run out; bumping updatedAt renews the lease for the taker.
 */
export function reclaimCreate(r: HybridClientRequest, leaseMs: number, now: number): Transition {
  if (r.status !== "creating" || now - r.updatedAt < leaseMs) {
    return refuse({ code: "already-decided", request: r });
  }
  return { next: { ...r, updatedAt: now } };
}

/**
 * The client exists but the DM with the Reveal button could not be sent, so nobody could
 * ever reveal: the request fails like a create, and Retry (which finds the client by its
 * Id) sends the DM again.
 */
export function failDelivery(r: HybridClientRequest, error: RequestError, now: number): Transition {
  if (r.status !== "created" || r.reveal !== "ready" || r.dm) {
    return refuse({ code: "already-decided", request: r });
  }
  return { next: { ...r, status: "failed", reveal: "none", error, updatedAt: now } };
}

/**
 * The replica running a create proves it still holds the lease (nobody reclaimed it since
 * `ownedAt`) and renews it.
 */
export function renewCreate(r: HybridClientRequest, ownedAt: number, now: number): Transition {
  if (r.status !== "creating" || r.updatedAt !== ownedAt) {
    return refuse({ code: "already-decided", request: r });
  }
  return { next: { ...r, updatedAt: Math.max(now, ownedAt + 1) } };
}

/** An approver retries a failed create. */
export function retry(r: HybridClientRequest, now: number): Transition {
  if (r.status !== "failed") return refuse({ code: "not-failed", request: r });
  return { next: { ...r, status: "creating", updatedAt: now } };
}

/**
 * Records where the approvals message was posted, so decisions can update it. Not a state
 * change: updatedAt stays, since a create that an instant approval started fences on it.
 */
export function attachApprovalMessage(
  r: HybridClientRequest,
  approvalMessage: { channel: string; ts: string },
  _now: number,
): Transition {
  return { next: { ...r, approvalMessage } };
}

/** Records the DM that carries the Reveal button. */
export function attachDm(
  r: HybridClientRequest,
  dm: { channel: string; ts: string },
  now: number,
): Transition {
  return { next: { ...r, dm, updatedAt: now } };
}

/** A mint left half-done by a crash may be claimed again after this long. */
export const MINT_LEASE_MS = 2 * 60_000;

/** Claims the one reveal: only the requester, only once, only when ready. */
export function beginReveal(r: HybridClientRequest, userId: string, now: number): Transition {
  if (r.requesterId !== userId) return refuse({ code: "not-requester" });
  const staleMint = r.reveal === "minting" && now - r.updatedAt > MINT_LEASE_MS;
  if (r.status !== "created" || (r.reveal !== "ready" && !staleMint)) {
    return refuse({ code: "not-ready", request: r });
  }
  return { next: { ...r, reveal: "minting", updatedAt: now } };
}

export function finishReveal(r: HybridClientRequest, secretId: number, now: number): Transition {
  if (r.reveal !== "minting") return refuse({ code: "not-ready", request: r });
  return {
    next: {
      ...r,
      reveal: "revealed",
      revealedAt: now,
      revealedSecretId: secretId,
      error: null,
      updatedAt: now,
    },
  };
}

/** The minted secret never reached the requester (it was deleted): offer the button again. */
export function undoReveal(r: HybridClientRequest, secretId: number, now: number): Transition {
  if (r.reveal !== "revealed" || r.revealedSecretId !== secretId) {
    return refuse({ code: "not-ready", request: r });
  }
  return {
    next: { ...r, reveal: "ready", revealedAt: null, revealedSecretId: null, updatedAt: now },
  };
}

/** Minting failed: the button stays usable and the error is kept for display. */
export function abortReveal(r: HybridClientRequest, error: RequestError, now: number): Transition {
  if (r.reveal !== "minting") return refuse({ code: "not-ready", request: r });
  return { next: { ...r, reveal: "ready", error, updatedAt: now } };
}
