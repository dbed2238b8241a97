import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as machine from "../../src/requests/state-machine.js";
import { canonicalJson } from "../../src/store/audit-event.js";
import { SHA256_PROBE_SCRIPT } from "../../src/store/audit-lua.js";
import { AUDIT_KEY, AuditTrail } from "../../src/store/audit-stream.js";
import { closeRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { deletePrefix, dumpKeys, testPrefix, testRedis } from "../support/redis.js";
import { sampleRequest, tamper } from "./support.js";

const prefixes: string[] = [];
const connections: ReturnType<typeof testRedis>[] = [];
function fresh() {
  const prefix = testPrefix("audit");
  const redis = testRedis(prefix);
  prefixes.push(prefix);
  connections.push(redis);
  return { prefix, redis, trail: new AuditTrail(redis), store: new RequestStore(redis) };
}
const collect = async <T>(events: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const e of events) out.push(e);
  return out;
};

afterAll(async () => {
  await Promise.all(connections.map(closeRedis));
  await Promise.all(prefixes.map(deletePrefix));
});

describe("SHA-256 in Lua", () => {
  let redis: ReturnType<typeof testRedis>;
  beforeAll(() => {
    redis = fresh().redis;
  });
  it("matches node:crypto at every padding boundary and on UTF-8", async () => {
    const inputs = ["", "abc", "é☃🙂 ünïcode"];
    for (const n of [55, 56, 57, 63, 64, 65, 119, 120, 1000]) inputs.push("x".repeat(n));
    for (const input of inputs) {
      const lua = await redis.eval(SHA256_PROBE_SCRIPT, 0, input);
      expect(lua).toBe(createHash("sha256").update(input).digest("hex"));
    }
  });
});

describe("audit chain", () => {
  it("appends chained events; a redelivered event is appended once", async () => {
    const { trail } = fresh();
    const at = Date.parse("2026-05-01T10:00:00Z");
    const base = { actor: { slack: "U1" }, requestId: "R1", clientId: "C-1" } as const;
    const first = await trail.append({ ...base, id: "e1", at, type: "secret.revealed" });
    const second = await trail.append({
      ...base,
      id: "e2",
      at: at + 1,
      type: "reminder.sent",
      details: { threshold: 7 },
    });
    expect(first).toMatch(/^\d+-\d+$/);
    expect(second).toMatch(/^\d+-\d+$/);
    expect(await trail.append({ ...base, id: "e2", at: at + 2, type: "reminder.sent" })).toBe(null);
    const events = await collect(trail.export());
    expect(events.map((e) => e.id)).toEqual(["e1", "e2"]);
    expect(events[0]).toMatchObject({
      v: 1,
      at: "2026-05-01T10:00:00.000Z",
      type: "secret.revealed",
      actor: { slack: "U1" },
      requestId: "R1",
      clientId: "C-1",
      details: {},
      prev: "",
    });
    expect(events[1]?.prev).toBe(events[0]?.hash);
    for (const event of events) {
      const { hash, ...rest } = event;
      expect(hash).toBe(createHash("sha256").update(canonicalJson(rest)).digest("hex"));
    }
    expect(await trail.appendedCount()).toBe(2);
  });

  it("refuses details that would carry a secret", async () => {
    const { trail } = fresh();
    await expect(
      trail.append({
        id: "x",
        at: Date.now(),
        type: "secret.minted",
        actor: "system",
        details: { clientSecret: "s3cr3t" },
      }),
    ).rejects.toThrow(/clientSecret/);
  });

  it("verify passes, then names the first edited event (and a re-hashed edit by its successor)", async () => {
    const { redis, trail } = fresh();
    const at = Date.parse("2026-05-01T10:00:00Z");
    for (let i = 0; i < 5; i++) {
      await trail.append({ id: `ev-${i}`, at: at + i, type: "reminder.sent", actor: "system" });
    }
    expect(await trail.verify()).toEqual({ ok: true, checked: 5, head: expect.any(String) });

    const entries = await redis.xrange(AUDIT_KEY.stream, "-", "+");
    const third = entries[2]?.[0] as string;
    await tamper(redis, third, (f) => ({ ...f, e: (f.e as string).replace("system", "U0EVIL") }));
    expect(await trail.verify()).toEqual({
      ok: false,
      checked: 2,
      brokenEventId: "ev-2",
      streamId: third,
      problem: "hash-mismatch",
    });

    // Re-hashing the edited event moves the break to the next link.
    await tamper(redis, third, (f) => ({
      ...f,
      h: createHash("sha256")
        .update(f.e as string)
        .digest("hex"),
    }));
    expect(await trail.verify()).toMatchObject({
      ok: false,
      brokenEventId: "ev-3",
      problem: "prev-mismatch",
    });
  });

  it("exports by time range on the events' own time", async () => {
    const { trail } = fresh();
    const day = (d: number) => Date.parse(`2026-05-${String(d).padStart(2, "0")}T12:00:00Z`);
    for (let d = 1; d <= 6; d++) {
      await trail.append({ id: `d${d}`, at: day(d), type: "reminder.sent", actor: "system" });
    }
    const ids = async (range: { since?: Date; until?: Date }) =>
      (await collect(trail.export(range))).map((e) => e.id);
    expect(await ids({})).toEqual(["d1", "d2", "d3", "d4", "d5", "d6"]);
    expect(await ids({ since: new Date(day(3)) })).toEqual(["d3", "d4", "d5", "d6"]);
    expect(await ids({ until: new Date(day(2)) })).toEqual(["d1", "d2"]);
    expect(await ids({ since: new Date(day(2) + 1), until: new Date(day(4)) })).toEqual([
      "d3",
      "d4",
    ]);
  });

  it("trims by retention and stays verifiable from the first kept event", async () => {
    const { redis, trail } = fresh();
    const now = Date.parse("2027-06-01T00:00:00Z");
    const short = new AuditTrail(redis, { retentionDays: 30 });
    for (const [i, daysAgo] of [90, 60, 31, 29, 1].entries()) {
      await trail.append({
        id: `t${i}`,
        at: now - daysAgo * 86_400_000,
        type: "reminder.sent",
        actor: "system",
      });
    }
    expect(await short.trim(now)).toBe(3);
    expect((await collect(trail.export())).map((e) => e.id)).toEqual(["t3", "t4"]);
    expect(await trail.verify()).toMatchObject({ ok: true, checked: 2 });
    expect(await trail.appendedCount()).toBe(5);

    // Dropping the first kept event by hand is seen: the anchor no longer matches.
    const [firstId] = (await redis.xrange(AUDIT_KEY.stream, "-", "+"))[0] ?? [];
    await redis.xdel(AUDIT_KEY.stream, firstId as string);
    expect(await trail.verify()).toMatchObject({ ok: false, brokenEventId: "t4" });
  });
});

describe("transition and audit event in one script", () => {
  const approve = (userId: string) => (r: ReturnType<typeof sampleRequest>) => {
    const t = machine.approve(r, userId, { allowSelfApproval: false, now: Date.now() });
    return {
      next: t.next,
      result: t.refusal ?? null,
      audit: { type: "request.approved" as const, actor: { slack: userId } },
    };
  };

  it("records each transition once, with an id stable across a redelivered click", async () => {
    const { store, trail } = fresh();
    const r = sampleRequest("R-1");
    await store.create(r, { type: "request.submitted", actor: { slack: "UREQ" } });
    await store.update("R-1", approve("UAPPROVER"));
    // The same click delivered again: the state machine refuses, nothing is recorded.
    await store.update("R-1", approve("UAPPROVER"));
    const events = await collect(trail.export());
    expect(events.map((e) => [e.type, e.requestId, e.clientId])).toEqual([
      ["request.submitted", "R-1", r.clientId],
      ["request.approved", "R-1", r.clientId],
    ]);
    expect(events[0]?.id).toBe(AuditTrail.eventId("R-1", 1, "request.submitted"));
    expect(events[1]?.id).toBe(AuditTrail.eventId("R-1", 2, "request.approved"));
    expect(await trail.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it("a script that fails at the audit append leaves neither the event nor the state change", async () => {
    const { redis, store, trail } = fresh();
    await store.create(sampleRequest("R-2"));
    // Break the audit stream key (wrong type): the script's XADD fails.
    await redis.set(AUDIT_KEY.stream, "not a stream");
    await expect(store.update("R-2", approve("UAPPROVER"))).rejects.toThrow(/WRONGTYPE/);
    const after = await store.get("R-2");
    expect(after?.version).toBe(1);
    expect(after?.request.status).toBe("pending");
    expect(after?.request.approvals).toEqual([]);
    expect(await trail.appendedCount()).toBe(0);
    expect(await redis.exists(AUDIT_KEY.ids)).toBe(0);

    // Repaired, the same transition records both.
    await redis.del(AUDIT_KEY.stream);
    await store.update("R-2", approve("UAPPROVER"));
    expect((await store.get("R-2"))?.request.status).toBe("creating");
    expect((await collect(trail.export())).map((e) => e.type)).toEqual(["request.approved"]);
  });

  it("a lost compare-and-set records nothing: two approvers at once, one event per winning vote", async () => {
    const { store, trail } = fresh();
    await store.create(sampleRequest("R-3", { approvalsRequired: 2 }));
    await Promise.all(["UA", "UB", "UC"].map((u) => store.update("R-3", approve(u))));
    const stored = await store.get("R-3");
    const events = await collect(trail.export());
    expect(events).toHaveLength(stored?.request.approvals.length ?? 0);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(await trail.verify()).toMatchObject({ ok: true });
  });

  it("no secret-shaped value reaches the audit keys", async () => {
    const { prefix, store } = fresh();
    await store.create(sampleRequest("R-4"), {
      type: "request.submitted",
      actor: { slack: "UREQ", adh: "0f0e0d0c-aaaa-bbbb-cccc-111122223333" },
      details: { kind: "new-client", neverExpires: false },
    });
    const dump = [...(await dumpKeys(prefix)).entries()].filter(([k]) => k.includes("audit:"));
    // The stream's entries themselves are searched, not just its name.
    expect(dump.some(([, value]) => value.includes("request.submitted"))).toBe(true);
    for (const [, value] of dump) expect(value).not.toMatch(/secret"\s*:|xox[bap]-|eyJ/i);
  });
});

describe("latest events", () => {
  it("gives the newest first, optionally about one client", async () => {
    const { trail } = fresh();
    const at = Date.parse("2026-05-01T10:00:00Z");
    for (let i = 0; i < 6; i++) {
      await trail.append({
        id: `l${i}`,
        at: at + i,
        type: "reminder.sent",
        actor: "system",
        clientId: i % 2 ? "odd" : "even",
      });
    }
    expect((await trail.latest(3)).map((e) => e.id)).toEqual(["l5", "l4", "l3"]);
    expect((await trail.latest(20, "odd")).map((e) => e.id)).toEqual(["l5", "l3", "l1"]);
  });
});
