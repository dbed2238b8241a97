// Shared pieces of the audit tests: a request to transition and a way to tamper with the
// stream the way someone with write access to Redis could (streams cannot be edited in
// place, so the tamperer rebuilds the stream with one entry changed).
import type { Redis } from "ioredis";
import type { HybridClientRequest } from "../../src/requests/model.js";
import { AUDIT_KEY } from "../../src/store/audit-stream.js";

export function sampleRequest(
  id: string,
  overrides: Partial<HybridClientRequest> = {},
): HybridClientRequest {
  const now = Date.now();
  return {
    id,
    kind: "new-client",
    status: "pending",
    requesterId: "UREQ",
    reason: "integration for the plant historian",
    clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    client: {
      name: "historian",
      allowOfflineAccess: false,
      redirectUris: ["https://app.example.com/cb"],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "", expiration: "2027-01-01" },
    reminderChannel: "C1",
    createdAt: now,
    expiresAt: now + 60_000,
    approvalsRequired: 1,
    approvals: [],
    reveal: "none",
    updatedAt: now,
    ...overrides,
  };
}

/** Rewrites one stream entry's fields through `edit`, keeping every stream id. */
export async function tamper(
  redis: Redis,
  streamId: string,
  edit: (fields: Record<string, string>) => Record<string, string>,
): Promise<void> {
  const entries = await redis.xrange(AUDIT_KEY.stream, "-", "+");
  const copy = `${AUDIT_KEY.stream}:tampered`;
  for (const [id, flat] of entries) {
    let fields: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
    if (id === streamId) fields = edit(fields);
    await redis.xadd(copy, id, ...Object.entries(fields).flat());
  }
  await redis.rename(copy, AUDIT_KEY.stream);
}
