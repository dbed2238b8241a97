// How a tracked secret's fields are written to and read back from its Redis hash.
import type { ClaimKind, SecretRef, TrackedSecret } from "./tracked-secret-model.js";

export const encodeExpiration = (e: number | null) => (e === null ? "" : String(Math.floor(e)));
export const encodeKind = (k: ClaimKind) => (k === "finding" ? "n" : String(k));
const decodeKind = (k: string): ClaimKind => (k === "n" ? "finding" : Number(k));

export function decodeSecretHash(ref: SecretRef, h: Record<string, string>): TrackedSecret | null {
  if (h.e === undefined) return null;
  const [kind, lease] = (h.p ?? "").split("|");
  return {
    clientId: ref.clientId,
    secretId: ref.secretId,
    clientName: h.n ?? "",
    description: h.d ?? "",
    expiration: h.e === "" ? null : Number(h.e),
    channel: h.ch ?? "",
    source: h.s === "b" ? "bot" : "tenant",
    lastThreshold: h.l === undefined ? undefined : Number(h.l),
    neverExpiresReported: h.f === "1",
    pending:
      h.p && kind !== undefined && lease !== undefined
        ? { kind: decodeKind(kind), leaseUntil: Number(lease) }
        : undefined,
    addedAt: Number(h.a ?? 0),
  };
}
