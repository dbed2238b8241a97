// The approver-reminder schedule on real Redis: due notices are claimed once however many
// replicas race for them, the next reminder is planned by the same claim, and a decided
// request's notices are dropped.
import { afterAll, describe, expect, it } from "vitest";
import { ApproverReminderStore } from "../../src/store/approver-reminders.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const prefix = testPrefix("people-rem");
const redisA = testRedis(prefix);
const redisB = testRedis(prefix);
const schedule = { intervalMs: 60 * 60_000, max: 3, escalateAfterMs: 240 * 60_000 };
const replicaA = new ApproverReminderStore(redisA, schedule);
const replicaB = new ApproverReminderStore(redisB, schedule);
const T0 = Date.parse("2026-11-30T08:00:00Z");
const MIN = 60_000;

afterAll(async () => {
  await deletePrefix(prefix);
  redisA.disconnect();
  redisB.disconnect();
});

describe("approver reminder schedule", () => {
  it("hands out reminders 1-3 and the escalation once each, with two replicas racing at every minute", async () => {
    await replicaA.plan("R1", T0);
    await replicaB.plan("R1", T0); // a redelivered submit plans nothing twice
    const seen: string[] = [];
    for (let minute = 0; minute <= 400; minute += 10) {
      const [a, b] = await Promise.all([
        replicaA.claimDue(T0 + minute * MIN),
        replicaB.claimDue(T0 + minute * MIN),
      ]);
      for (const n of [...a, ...b]) seen.push(`${minute}:${n.kind}${n.n}`);
    }
    expect(seen).toEqual(["60:remind1", "120:remind2", "180:remind3", "240:escalate1"]);
    expect(await replicaA.pending()).toBe(0);
  });

  it("drops every notice of a request that was decided", async () => {
    await replicaA.plan("R2", T0);
    await replicaA.plan("R3", T0);
    await replicaA.forget("R2");
    const due = await replicaA.claimDue(T0 + 300 * MIN);
    expect(due.map((n) => n.requestId)).not.toContain("R2");
    expect(due.filter((n) => n.requestId === "R3").map((n) => n.kind)).toContain("remind");
  });

  it("plans nothing when reminders are off and there is no escalation", async () => {
    const off = new ApproverReminderStore(redisA, { intervalMs: 0, max: 3 });
    await off.forget("R3");
    await replicaA.claimDue(T0 + 10_000 * MIN); // empty the set
    await off.plan("R4", T0);
    expect(await off.pending()).toBe(0);
  });
});
