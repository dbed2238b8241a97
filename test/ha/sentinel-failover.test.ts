// A Sentinel failover in the middle of concurrent approvals on two replicas: the master is
// stopped while clicks are in flight. Every request still ends created (a click that hit
// the switch is answered with a retry and clicked again, as a person would), ADH gets one
// client per request, every secret is revealed once, and each reminder is posted once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVE, RETRY, REVEAL } from "../../src/slack/ids.js";
import { checkRedisTopology } from "../../src/store/redis-topology.js";
import type { RecordedCall } from "../fakes/slack.js";
import {
  APPROVAL_CHANNEL,
  approve,
  type Harness,
  messageTs,
  requestIdOf,
  startHarness,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import type { SlackDriver } from "../support/slack-driver.js";
import { MASTER_NAME, type SentinelGroup, startSentinelGroup } from "./topology.js";

const FLOWS = 50;
// One reminder channel per flow: the pacer would otherwise space the reminders 1 s apart.
const channelOf = (i: number) => `C0HAREM${String(i).padStart(2, "0")}`;

describe("Redis Sentinel failover during traffic", () => {
  let group: SentinelGroup;
  let h: Harness;
  let replica: { driver: SlackDriver; bot: Harness["bot"] };

  beforeAll(async () => {
    group = await startSentinelGroup();
    const env = {
      REDIS_URL: "redis://127.0.0.1:1", // unused in Sentinel mode
      REDIS_SENTINELS: group.sentinels.join(","),
      REDIS_SENTINEL_MASTER: MASTER_NAME,
      CREATE_LEASE_SECONDS: "3",
    };
    h = await startHarness({ env });
    replica = await h.startReplica();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await group?.close();
  });

  it("doctor finds the master and writes to it; an unknown master name is reported", async () => {
    const settings = {
      url: "redis://127.0.0.1:1",
      keyPrefix: h.prefix,
      sentinels: group.sentinels,
      sentinelMaster: MASTER_NAME,
    };
    const found = await checkRedisTopology(settings);
    expect(found).toEqual({
      ok: true,
      detail: expect.stringContaining(`master 127.0.0.1:${group.master.port} takes writes`),
    });
    const wrong = await checkRedisTopology({ ...settings, sentinelMaster: "nosuchmaster" });
    expect(wrong).toMatchObject({ ok: false, problem: expect.stringContaining("nosuchmaster") });
    expect((await h.bot.readiness.check()).parts.redis?.ok).toBe(true);
  });

  it("ends every flow created and revealed once, one client each, no reminder twice", async () => {
    for (let i = 0; i < FLOWS; i++) h.slack.addChannel(channelOf(i), { member: true });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const approvals: RecordedCall[] = [];
    for (let i = 0; i < FLOWS; i++) {
      approvals.push(
        await submitRequest(
          i % 2 ? { slack: h.slack, driver: replica.driver } : h,
          USERS.requester,
          {
            client: { name: `ha-client-${i}`, reminderChannel: channelOf(i) },
            secret: { expirationDate: tomorrow },
          },
        ),
      );
    }
    const oldMaster = await group.masterPort();

    // Clicks on both replicas; the master goes away while they are in flight.
    const drivers = [h.driver, replica.driver];
    const clicks = approvals.map(async (approval, i) => {
      await new Promise((r) => setTimeout(r, i * 60));
      return approve({ driver: drivers[i % 2] as SlackDriver }, USERS.approver1, approval);
    });
    await new Promise((r) => setTimeout(r, (FLOWS * 60) / 3));
    await group.master.stop();
    const answers = await Promise.all(clicks);
    for (const a of answers) expect(a.status).toBe(200); // acked, whatever Redis did

    // A click that hit the switch was told to try again: click again until created.
    const dms: (RecordedCall | undefined)[] = approvals.map(() => undefined);
    for (let round = 0; round < 6 && dms.some((d) => !d); round++) {
      await Promise.all(
        approvals.map(async (approval, i) => {
          if (dms[i]) return;
          if (round > 0) {
            // A flow the switch failed shows Retry (visibly retryable): press it, as an
            // approver would; otherwise press Approve again.
            const id = requestIdOf(approval);
            const stored = await h.bot.workflow.engine.store.get(id).catch(() => null);
            await (drivers[i % 2] as SlackDriver).clickButton(
              USERS.approver1,
              {
                actionId: stored?.request.status === "failed" ? RETRY : APPROVE,
                value: id,
                blockId: "actions",
              },
              { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
            );
          }
          dms[i] = await waitForRevealDm(h, approval, USERS.requester, 4_000).catch(
            () => undefined,
          );
        }),
      );
    }
    const missing = dms.flatMap((d, i) => (d ? [] : [i]));
    expect(missing).toEqual([]);
    expect(await group.masterPort()).not.toBe(oldMaster);

    // Ready again on the new master; the doctor names it.
    await new Promise((r) => setTimeout(r, 2_100)); // past the readiness cache
    expect((await h.bot.readiness.check()).parts.redis?.ok).toBe(true);
    expect(
      await checkRedisTopology({
        url: "redis://127.0.0.1:1",
        keyPrefix: h.prefix,
        sentinels: group.sentinels,
        sentinelMaster: MASTER_NAME,
      }),
    ).toMatchObject({
      ok: true,
      detail: expect.stringContaining(`${group.replica.port} takes writes`),
    });

    // One client per request in ADH.
    for (let i = 0; i < FLOWS; i++) {
      expect(h.adh.clients().filter((c) => c.Name === `ha-client-${i}`)).toHaveLength(1);
    }
    // Each secret revealed once.
    for (const [i, dm] of dms.entries()) {
      if (!dm) continue;
      const reveal = await drivers[i % 2]?.clickButton(
        USERS.requester,
        { actionId: REVEAL },
        { channel: String(dm.response.channel), messageTs: messageTs(dm) },
      );
      expect(reveal?.status).toBe(200);
    }
    const clientIds = h.adh.clients().map((c) => c.Id);
    for (const id of clientIds) {
      await h.slack.waitForResponse((r) => JSON.stringify(r.body).includes(id), 10_000);
      expect(h.adh.secretsOf(id)).toHaveLength(1);
    }

    // Both replicas scan: each secret's reminder is posted once.
    await Promise.all([h.bot.reminders.scanDue(), replica.bot.reminders.scanDue()]);
    await Promise.all([h.bot.reminders.scanDue(), replica.bot.reminders.scanDue()]);
    const reminders = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => String(c.args.channel).startsWith("C0HAREM") && c.status === 200);
    for (let i = 0; i < FLOWS; i++) {
      const name = new RegExp(`ha-client-${i}(?!\\d)`);
      expect(reminders.filter((c) => name.test(JSON.stringify(c.args)))).toHaveLength(1);
    }
  }, 150_000);
});
