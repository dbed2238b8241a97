// The bot's own ADH client secret expiring in 5 days: exactly one reminder in the
// approvals channel (also across a second replica's check), and npm run doctor says
// how many days are left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdhClient } from "../../src/adh/client.js";
import { runDoctor } from "../../src/doctor.js";
import { createLogger } from "../../src/log.js";
import { OwnCredentialsWatch } from "../../src/reminders/own-credentials.js";
import {
  APPROVAL_CHANNEL,
  type Harness,
  SIGNING_SECRET,
  startHarness,
  USERS,
} from "../support/harness.js";
import { TEST_REDIS_URL, testRedis } from "../support/redis.js";

const DAY_MS = 86_400_000;
let h: Harness;
let expiresAt: Date;

const ownReminders = () =>
  h.slack
    .callsTo("chat.postMessage")
    .filter(
      (c) => c.args.channel === APPROVAL_CHANNEL && /own ADH secret/.test(String(c.args.text)),
    );

beforeAll(async () => {
  h = await startHarness();
  // A few hours short of 5 days, as a reminder run would find it.
  expiresAt = new Date(Date.now() + 5 * DAY_MS - 3_600_000);
  h.adh.setBotSecrets([
    { Id: 7, Description: "bot-2026", Expiration: expiresAt.toISOString(), Expires: true },
  ]);
  await h.restart(); // the reminder scan runs at start
}, 30_000);
afterAll(async () => {
  await h?.close();
});

describe("the bot's own ADH secret expiring in 5 days", () => {
  it("gets exactly one reminder in the approvals channel, saying how to rotate it", async () => {
    const call = await h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === APPROVAL_CHANNEL && /own ADH secret/.test(String(c.args.text)),
      10_000,
    );
    expect(String(call.args.text)).toMatch(/The bot's own ADH secret expires in 5 days/);
    expect(String(call.args.text)).toContain(h.adh.clientId);
    expect(JSON.stringify(call.args.blocks)).toMatch(/add a second secret/);
    // Never the secret's value.
    expect(JSON.stringify(call.args)).not.toContain(h.adh.clientSecret);

    // Another replica checking the same secret: the claim is already committed.
    const redis = testRedis(h.prefix);
    const adh = new AdhClient({
      baseUrl: h.adh.url,
      tenantId: h.adh.tenantId,
      clientId: h.adh.clientId,
      clientSecret: h.adh.clientSecret,
      logger: createLogger({ level: "silent" }),
    });
    const replica = new OwnCredentialsWatch({
      redis,
      source: adh,
      clientId: h.adh.clientId,
      channel: APPROVAL_CHANNEL,
      thresholds: h.config.reminderDays,
      post: async () => {
        throw new Error("a second reminder must not be posted");
      },
      logger: createLogger({ level: "silent" }),
    });
    try {
      const result = await replica.check();
      expect(result.sent).toBe(0);
      expect(result.secrets).toEqual([
        expect.objectContaining({ secretId: 7, description: "bot-2026" }),
      ]);
    } finally {
      await replica.close();
      await adh.close();
      redis.disconnect();
    }
    expect(ownReminders()).toHaveLength(1);
  });

  it("shows the days left in npm run doctor", async () => {
    const lines: string[] = [];
    await runDoctor(
      {
        SLACK_BOT_TOKEN: h.slack.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: h.slack.url,
        ADH_BASE_URL: h.adh.url,
        ADH_TENANT_ID: h.adh.tenantId,
        ADH_CLIENT_ID: h.adh.clientId,
        ADH_CLIENT_SECRET: h.adh.clientSecret,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: h.prefix,
        APPROVAL_CHANNEL,
        APPROVERS: `${USERS.approver1},${USERS.approver2}`,
      },
      (line) => lines.push(line),
    );
    const line = lines.find((l) => l.includes("the bot's own ADH secrets")) ?? "";
    const day = expiresAt.toISOString().slice(0, 10);
    expect(line).toMatch(
      new RegExp(
        `^✔ the bot's own ADH secrets \\(ADH_CLIENT_ID\\) \\(secret 7: 5 days left \\(${day}\\)`,
      ),
    );
    expect(line).toMatch(/rotate it/);
  });
});
