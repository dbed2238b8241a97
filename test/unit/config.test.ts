import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";

const valid = {
  SLACK_BOT_TOKEN: "xoxb-1-abc",
  SLACK_SIGNING_SECRET: "shh-signing-secret",
  ADH_TENANT_ID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  ADH_CLIENT_ID: "bot-client",
  ADH_CLIENT_SECRET: "very-secret-value",
  APPROVAL_CHANNEL: "C0123ABCD",
  APPROVERS: "U01AAA,S02BBB",
};

describe("configuration", () => {
  it("names every missing required variable in one message", () => {
    const result = parseConfig({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const name of [
      "SLACK_BOT_TOKEN",
      "ADH_TENANT_ID",
      "ADH_CLIENT_ID",
      "ADH_CLIENT_SECRET",
      "APPROVAL_CHANNEL",
      "APPROVERS",
      "SLACK_SIGNING_SECRET",
    ]) {
      expect(result.message).toContain(`${name}: is required`);
    }
  });

  it("applies the design's defaults", () => {
    const result = parseConfig(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      port: 3000,
      adhBaseUrl: "https://uswe.datahub.connect.aveva.com",
      redisUrl: "redis://127.0.0.1:6379",
      redisKeyPrefix: "hcb:",
      approverUsers: ["U01AAA"],
      approverGroups: ["S02BBB"],
      approvalsRequired: 1,
      allowSelfApproval: false,
      requestTtlHours: 24,
      reminderChannel: undefined,
      reminderDays: [30, 14, 7, 1, 0],
      reminderIntervalSeconds: 900,
      tenantSyncIntervalSeconds: 21600,
      logLevel: "info",
      slackAppToken: undefined,
    });
  });

  it("explains each malformed value and how to fix it", () => {
    const result = parseConfig({
      ...valid,
      APPROVERS: "U01AAA, bob",
      APPROVALS_REQUIRED: "two",
      ALLOW_SELF_APPROVAL: "maybe",
      REMINDER_DAYS: "30,x",
      PORT: "99999",
      ADH_TENANT_ID: "not-a-guid",
      APPROVAL_CHANNEL: "#approvals",
      SLACK_BOT_TOKEN: "xoxp-user-token",
      REDIS_URL: "not a url",
      LOG_LEVEL: "loud",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const m = result.message;
    expect(m).toContain(
      "APPROVERS: expected comma-separated Slack user ids (U…) or user group ids (S…); not understood: bob",
    );
    expect(m).toContain("APPROVALS_REQUIRED: expected a whole number from 1 to 10");
    expect(m).toContain("ALLOW_SELF_APPROVAL: expected true or false");
    expect(m).toContain("REMINDER_DAYS: expected comma-separated whole numbers");
    expect(m).toContain("PORT: expected a whole number from 1 to 65535");
    expect(m).toContain("ADH_TENANT_ID: expected a GUID");
    expect(m).toContain("APPROVAL_CHANNEL: expected a channel id");
    expect(m).toContain("SLACK_BOT_TOKEN: expected a bot token starting with xoxb-");
    expect(m).toContain("REDIS_URL: expected a URL");
    expect(m).toContain("LOG_LEVEL: expected one of");
  });

  it("never echoes a secret value in its message", () => {
    const result = parseConfig({
      ...valid,
      SLACK_BOT_TOKEN: "xoxp-leaky-token",
      APPROVERS: "nope",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).not.toContain("xoxp-leaky-token");
    expect(result.message).not.toContain("very-secret-value");
    expect(result.message).not.toContain("shh-signing-secret");
  });

  it("demands a signing secret in HTTP mode only", () => {
    const { SLACK_SIGNING_SECRET: _, ...withoutSigning } = valid;
    const http = parseConfig(withoutSigning);
    expect(http.ok).toBe(false);
    if (!http.ok) expect(http.message).toContain("SLACK_SIGNING_SECRET: is required in HTTP mode");
    const socket = parseConfig({ ...withoutSigning, SLACK_APP_TOKEN: "xapp-1-abc" });
    expect(socket.ok).toBe(true);
  });

  it("sorts and de-duplicates reminder thresholds", () => {
    const result = parseConfig({ ...valid, REMINDER_DAYS: "1, 7,30,7,0" });
    expect(result.ok && result.config.reminderDays).toEqual([30, 7, 1, 0]);
  });
});
