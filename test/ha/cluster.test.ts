// The bot on a three-master Redis Cluster: every key carries the prefix's hash tag, so the
// whole request → approve → reveal flow (Lua compare-and-set, MULTI, pipelines) and the
// reminders run without a CROSSSLOT error, and all of the bot's keys live in one slot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVEAL } from "../../src/slack/ids.js";
import { clusterKeyPrefix, hashTagOf } from "../../src/store/key-naming.js";
import { createRedisCluster } from "../../src/store/redis.js";
import { checkRedisTopology } from "../../src/store/redis-topology.js";
import {
  approve,
  type Harness,
  messageTs,
  startHarness,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { type RedisCluster, startCluster } from "./topology.js";

describe("key naming for Redis Cluster", () => {
  it("wraps a plain prefix in one hash tag and keeps a prefix that has one", () => {
    expect(clusterKeyPrefix("hcb:")).toBe("{hcb}:");
    expect(clusterKeyPrefix("bot")).toBe("{bot}");
    expect(clusterKeyPrefix("team-a:{hcb}:")).toBe("team-a:{hcb}:");
    expect(clusterKeyPrefix("x{}:")).toBe("{x{}}:");
    expect(hashTagOf(`${clusterKeyPrefix("hcb:")}request:R1`)).toBe("hcb");
  });
});

describe("the bot on a Redis Cluster", () => {
  let cluster: RedisCluster;
  let h: Harness;

  beforeAll(async () => {
    cluster = await startCluster();
    h = await startHarness({
      env: { REDIS_CLUSTER_NODES: cluster.addresses.join(","), REDIS_KEY_PREFIX: "hcbtest:" },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await cluster?.close();
  });

  it("runs request → approve → reveal and the minted secret's reminder, all keys in one slot", async () => {
    // Expires tomorrow: its one-day reminder is due at once.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const approval = await submitRequest(h, USERS.requester, {
      secret: { expirationDate: tomorrow },
    });
    expect((await approve(h, USERS.approver1, approval)).status).toBe(200);
    const dm = await waitForRevealDm(h, approval);
    const [client] = h.adh.clients();
    expect(h.adh.clients()).toHaveLength(1);
    const reveal = await h.driver.clickButton(
      USERS.requester,
      { actionId: REVEAL },
      { channel: String(dm.response.channel), messageTs: messageTs(dm) },
    );
    expect(reveal.status).toBe(200);
    const answer = await h.slack.waitForResponse((r) =>
      JSON.stringify(r.body).includes(client?.Id ?? "?"),
    );
    expect(h.adh.issuedSecrets.some((s) => JSON.stringify(answer.body).includes(s))).toBe(true);

    // Tracking and the reminder's claim/commit scripts run on the cluster too.
    expect(await h.bot.reminders.scanDue()).toEqual({ sent: 1 });
    expect(await h.bot.reminders.scanDue()).toEqual({ sent: 0 });
    const reminders = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === "C0GENERAL1");
    expect(reminders).toHaveLength(1);

    const admin = createRedisCluster({
      url: "redis://127.0.0.1",
      keyPrefix: "",
      clusterNodes: cluster.addresses,
    });
    try {
      await admin.ping(); // connected: the node list is known
      const keys: string[] = [];
      for (const node of admin.nodes("master")) keys.push(...(await node.keys("*hcbtest*")));
      expect(keys.length).toBeGreaterThan(3);
      for (const key of keys) expect(hashTagOf(key)).toBe("hcbtest");
    } finally {
      admin.disconnect();
    }
    expect(h.logs.join("")).not.toMatch(/CROSSSLOT/);
  }, 60_000);

  it("doctor sees every slot covered", async () => {
    const result = await checkRedisTopology({
      url: "redis://127.0.0.1",
      keyPrefix: "hcbtest:",
      clusterNodes: cluster.addresses,
    });
    expect(result).toEqual({
      ok: true,
      detail: expect.stringContaining("all 16384 slots covered"),
    });
  });
});
