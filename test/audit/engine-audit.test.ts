import { afterAll, describe, expect, it } from "vitest";
import type { RequestDraft } from "../../src/requests/model.js";
import { PORTAL_POLICY, type Policy } from "../../src/requests/policy.js";
import { newClientDraft } from "../../src/requests/submit.js";
import { RequestWorkflow } from "../../src/requests/workflow.js";
import { AUDIT_KEY, AuditTrail } from "../../src/store/audit-stream.js";
import { closeRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { MemoryAdh, MemoryNotifier } from "../support/memory-ports.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";
import { memoryWorkflowOptions } from "../support/use-case-rig.js";

const REQUESTER = "UREQUEST01";
const APPROVER = "UAPPROVE01";

const prefix = testPrefix("engine-audit");
const redis = testRedis(prefix);
const store = new RequestStore(redis);
const trail = new AuditTrail(redis);

afterAll(async () => {
  await closeRedis(redis);
  await deletePrefix(prefix);
});

function world(policy: Policy = PORTAL_POLICY, adh = new MemoryAdh()) {
  const workflow = new RequestWorkflow({
    ...memoryWorkflowOptions({ store, adh, notifier: new MemoryNotifier(), approver: APPROVER }),
    policy,
    trail,
  });
  return { adh, workflow };
}

const draft = (name: string, redirect = "https://app.example.com/cb"): RequestDraft => ({
  ...newClientDraft(REQUESTER, {
    name,
    allowOfflineAccess: false,
    redirectUris: [redirect],
    postLogoutRedirectUris: [],
    accessTokenLifetime: 3600,
    reminderChannel: "C0GENERAL1",
    reason: "",
  }),
  secret: { description: "d", expiration: null },
});

async function eventsOf(requestId: string) {
  const all = await trail.latest(1_000);
  return all.filter((e) => e.requestId === requestId).reverse();
}

async function settled(id: string) {
  for (let i = 0; i < 400; i++) {
    const stored = await store.get(id);
    if (stored && stored.request.status !== "creating") return stored.request;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`request ${id} did not settle`);
}

describe("the engine's audit hook", () => {
  it("a transition whose audit append fails is not stored either, and a retry records both once", async () => {
    const { workflow } = world();
    const submitted = await workflow.submit(draft("crash-app"));
    if (!submitted.ok) throw new Error("not submitted");
    const id = submitted.request.id;
    // Break the append inside the script: the stream key holds a string, so XADD fails.
    await redis.rename(AUDIT_KEY.stream, "audit:stream:aside");
    await redis.set(AUDIT_KEY.stream, "not a stream");
    await expect(workflow.approve(id, APPROVER)).rejects.toThrow(/WRONGTYPE/);
    expect((await store.get(id))?.request.status).toBe("pending");
    await redis.del(AUDIT_KEY.stream);
    await redis.rename("audit:stream:aside", AUDIT_KEY.stream);
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(["request.submitted"]);

    expect(await workflow.approve(id, APPROVER)).toEqual({ ok: true });
    expect((await workflow.approve(id, APPROVER)).ok).toBe(false);
    await settled(id);
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual([
      "request.submitted",
      "request.approved",
      "client.created",
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events[1]?.actor).toEqual({ slack: APPROVER });
    expect(events[2]?.actor).toBe("system");
    expect(await trail.verify()).toMatchObject({ ok: true });
  });

  it("the apply step re-checks the policy: a request that no longer passes fails visibly", async () => {
    const adh = new MemoryAdh();
    const lax = world(PORTAL_POLICY, adh);
    const submitted = await lax.workflow.submit(draft("tightened-app", "https://other.test/cb"));
    if (!submitted.ok) throw new Error("not submitted");
    const id = submitted.request.id;
    // The policy tightened (a restart with new settings) before the approval.
    const strict = world({ ...PORTAL_POLICY, allowedRedirectHosts: ["example.com"] }, adh);
    expect(await strict.workflow.approve(id, APPROVER)).toEqual({ ok: true });
    const failed = await settled(id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({
      code: "policy-refused",
      message: "host-not-allowed https://other.test/cb",
    });
    expect(adh.clients.size).toBe(0);
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual([
      "request.submitted",
      "request.approved",
      "request.failed",
    ]);
    expect(events[2]?.details).toMatchObject({ code: "policy-refused" });
  });
});
