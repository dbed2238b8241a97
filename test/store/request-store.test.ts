import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HybridClientRequest } from "../../src/requests/model.js";
import * as machine from "../../src/requests/state-machine.js";
import { closeRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const prefix = testPrefix("store");
const redis = testRedis(prefix);
const store = new RequestStore(redis);

function request(id: string, overrides: Partial<HybridClientRequest> = {}): HybridClientRequest {
  const now = Date.now();
  return {
    id,
    kind: "new-client",
    status: "pending",
    requesterId: "UREQ",
    reason: "",
    clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    client: {
      name: "app",
      allowOfflineAccess: false,
      redirectUris: ["https://app.example.com/cb"],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "", expiration: null },
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

const approveBy = (userId: string) => (r: HybridClientRequest) => {
  const t = machine.approve(r, userId, { allowSelfApproval: false, now: Date.now() });
  return { next: t.next, result: t.refusal ?? null };
};

beforeAll(async () => {
  await redis.ping();
});
afterAll(async () => {
  await closeRedis(redis);
  await deletePrefix(prefix);
});

describe("request store", () => {
  it("round-trips a request and refuses a duplicate id", async () => {
    const r = request("R-roundtrip");
    expect(await store.create(r)).toBe(true);
    expect(await store.create(r)).toBe(false);
    const stored = await store.get("R-roundtrip");
    expect(stored?.request).toEqual(r);
    expect(stored?.version).toBe(1);
  });

  it("ten approvers clicking at once make exactly one final approval", async () => {
    await store.create(request("R-race"));
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.update("R-race", approveBy(`UAPP${i}`))),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    const final = await store.get("R-race");
    expect(final?.request.status).toBe("creating");
    expect(final?.request.approvals).toHaveLength(1);
    expect(await store.creatingIds()).toContain("R-race");
  });

  it("two stores on two connections (two replicas) still make one decision", async () => {
    const otherRedis = testRedis(prefix);
    const other = new RequestStore(otherRedis);
    await store.create(request("R-replicas", { approvalsRequired: 2 }));
    const outcomes = await Promise.all([
      store.update("R-replicas", approveBy("UA")),
      other.update("R-replicas", approveBy("UB")),
      store.update("R-replicas", approveBy("UC")),
      other.update("R-replicas", approveBy("UA")),
    ]);
    const final = await store.get("R-replicas");
    expect(final?.request.status).toBe("creating");
    expect(final?.request.approvals).toHaveLength(2);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    await closeRedis(otherRedis);
  });

  it("keeps the indexes in step with the status", async () => {
    await store.create(request("R-index", { requesterId: "UIDX", expiresAt: 1 }));
    expect((await store.openRequestsOf("UIDX")).map((r) => r.id)).toEqual(["R-index"]);
    expect(await store.expiredPendingIds(Date.now())).toContain("R-index");
    await store.update("R-index", (r) => {
      const t = machine.expire(r, Date.now());
      return { next: t.next, result: null };
    });
    expect(await store.openRequestsOf("UIDX")).toEqual([]);
    expect(await store.expiredPendingIds(Date.now())).not.toContain("R-index");
    expect(await redis.ttl("req:R-index")).toBeGreaterThan(0);
  });

  it("reads back an empty approvals list that Lua's cjson might write as {}", async () => {
    await redis.hset(
      "req:R-cjson",
      "v",
      "1",
      "json",
      JSON.stringify({ ...request("R-cjson"), approvals: {} }),
    );
    expect((await store.get("R-cjson"))?.request.approvals).toEqual([]);
  });
});
