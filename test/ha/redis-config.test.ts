// REDIS_SENTINELS / REDIS_SENTINEL_MASTER / REDIS_CLUSTER_NODES select the Redis mode;
// mistakes stop start-up with a message naming the variable, never echoing a password.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { redisMode, redisSettingsOf } from "../../src/store/redis.js";
import { describeRedisMode } from "../../src/store/redis-topology.js";

const valid = {
  SLACK_BOT_TOKEN: "xoxb-1-abc",
  SLACK_SIGNING_SECRET: "shh-signing-secret",
  ADH_TENANT_ID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  ADH_CLIENT_ID: "bot-client",
  ADH_CLIENT_SECRET: "very-secret-value",
  APPROVAL_CHANNEL: "C0123ABCD",
  APPROVERS: "U01AAA",
};

function settingsFor(env: Record<string, string>) {
  const parsed = parseConfig({ ...valid, ...env });
  if (!parsed.ok) throw new Error(parsed.message);
  return redisSettingsOf(parsed.config);
}

describe("Redis mode settings", () => {
  it("keeps REDIS_URL (redis:// and rediss://) as the single-Redis mode", () => {
    expect(redisMode(settingsFor({}))).toBe("single");
    const tls = settingsFor({ REDIS_URL: "rediss://u:p@redis.example.com:6380/0" });
    expect(redisMode(tls)).toBe("single");
    expect(describeRedisMode(tls)).toBe("single Redis over TLS");
  });

  it("selects Sentinel with REDIS_SENTINELS and REDIS_SENTINEL_MASTER", () => {
    const s = settingsFor({
      REDIS_SENTINELS: "s0:26379, s1:26379,s2:26379",
      REDIS_SENTINEL_MASTER: "mymaster",
      REDIS_SENTINEL_PASSWORD: "sentinel-pw",
    });
    expect(redisMode(s)).toBe("sentinel");
    expect(s.sentinels).toEqual(["s0:26379", "s1:26379", "s2:26379"]);
    expect(s.sentinelPassword).toBe("sentinel-pw");
    expect(describeRedisMode(s)).toContain('"mymaster" via 3 sentinel(s)');
  });

  it("selects Cluster with REDIS_CLUSTER_NODES", () => {
    const c = settingsFor({ REDIS_CLUSTER_NODES: "n0:7000,n1:7001" });
    expect(redisMode(c)).toBe("cluster");
    expect(c.clusterNodes).toEqual(["n0:7000", "n1:7001"]);
  });

  it("refuses malformed lists, a missing master name and both modes at once", () => {
    const bad = parseConfig({
      ...valid,
      REDIS_SENTINELS: "s0,s1:26379",
      REDIS_CLUSTER_NODES: "n0:7000",
      REDIS_SENTINEL_PASSWORD: "do-not-print-me",
    });
    expect(bad.ok).toBe(false);
    const message = bad.ok ? "" : bad.message;
    expect(message).toMatch(/REDIS_SENTINELS: expected host:port/);
    expect(message).toMatch(/REDIS_SENTINEL_MASTER: is required with REDIS_SENTINELS/);
    expect(message).toMatch(/REDIS_CLUSTER_NODES: set either/);
    expect(message).not.toContain("do-not-print-me");
  });
});
