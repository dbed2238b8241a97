// The people around a request (`node --import tsx test/bench/people.ts`): finding due
// approver reminders among 10,000 pending requests (target ≤ 10 ms), and App Home's
// app_home_opened → views.publish latency with 1,000 open requests and 100 approvers
// (target p95 ≤ 500 ms), on the real bot against the fake Slack and ADH and real Redis.
// BENCH_SCALE=0.1 for a quick look.
import type { HybridClientRequest } from "../../src/requests/model.js";
import { ApproverReminderStore } from "../../src/store/approver-reminders.js";
import { closeRedis, createRedis } from "../../src/store/redis.js";
import { sampleRequest } from "../audit/support.js";
import { startHarness } from "../support/harness.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix } from "../support/redis.js";
import { percentile, round, summarize } from "./stats.js";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const PENDING = Math.round(10_000 * SCALE);
const OPEN_REQUESTS = Math.round(1_000 * SCALE);
const APPROVERS = Math.max(2, Math.round(100 * SCALE));

async function dueReminders() {
  const prefix = testPrefix("bench-people");
  const redis = createRedis(
    { url: TEST_REDIS_URL, keyPrefix: prefix },
    { enableAutoPipelining: false, commandTimeout: 60_000 },
  );
  const store = new ApproverReminderStore(redis, {
    intervalMs: 3_600_000,
    max: 3,
    escalateAfterMs: 14_400_000,
  });
  const start = Date.now();
  // 10,000 pending requests created over the last hour: reminders and escalations planned.
  for (let i = 0; i < PENDING; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, PENDING - i) }, (_, j) =>
        store.plan(`RBENCH${i + j}`, start - 3_600_000 + ((i + j) * 3_600_000) / PENDING),
      ),
    );
  }
  const planned = await store.pending();
  // Each tick finds what fell due since the last one (10 s of the hour's spread).
  const samples: number[] = [];
  let due = 0;
  for (let tick = 1; tick <= 200; tick++) {
    const now = start + tick * 10_000;
    const started = process.hrtime.bigint();
    const claimed = await store.claimDue(now);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    due += claimed.length;
  }
  await closeRedis(redis);
  await deletePrefix(prefix);
  return {
    pending: PENDING,
    planned,
    ticks: samples.length,
    claimed: due,
    claimDueMs: summarize(samples),
  };
}

async function homePublish() {
  const approverIds = Array.from(
    { length: APPROVERS },
    (_, i) => `U0BENCH${String(i).padStart(4, "0")}`,
  );
  const h = await startHarness({ env: { APPROVERS: approverIds.join(","), LOG_LEVEL: "warn" } });
  try {
    for (const id of approverIds)
      h.slack.addUser({ id, email: `${id.toLowerCase()}@example.com`, name: id.toLowerCase() });
    const store = h.bot.workflow.engine.store;
    const now = Date.now();
    for (let i = 0; i < OPEN_REQUESTS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, OPEN_REQUESTS - i) }, (_, j) => {
          const r: HybridClientRequest = sampleRequest(`RHOME${i + j}`, {
            requesterId: approverIds[(i + j) % APPROVERS] ?? "U0BENCH0000",
            createdAt: now,
            expiresAt: now + 86_400_000 + i + j,
            updatedAt: now,
          });
          return store.create(r);
        }),
      );
    }
    const samples: number[] = [];
    for (let round_ = 0; round_ < 3; round_++) {
      for (const user of approverIds) {
        const before = h.slack.callsTo("views.publish").length;
        const started = performance.now();
        await h.driver.homeOpened(user);
        await h.slack.waitForCall(
          "views.publish",
          (c) => c.args.user_id === user && h.slack.callsTo("views.publish").indexOf(c) >= before,
          10_000,
        );
        if (round_ > 0) samples.push(performance.now() - started); // round 0 warms caches
      }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      openRequests: OPEN_REQUESTS,
      approvers: APPROVERS,
      eventToPublishMs: { ...summarize(samples), p95: round(percentile(sorted, 95)) },
    };
  } finally {
    await h.close();
  }
}

async function main() {
  const reminders = await dueReminders();
  const home = await homePublish();
  console.log(JSON.stringify({ dueApproverReminders: reminders, appHome: home }, null, 2));
}

await main();
