// 30 reminders due at once to one channel, sent by two replicas: every one is delivered
// once, Slack never sees two posts to that channel less than 1 s apart, and a 429 holds
// every replica off for its Retry-After.
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReminderService } from "../../src/reminders/service.js";
import { SlackReminderNotifier } from "../../src/slack/reminders/notifier.js";
import { ChannelPacer, pacedReminders } from "../../src/store/channel-pacer.js";
import type { Redis } from "../../src/store/redis.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { logger } from "../reminders/harness.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const CHANNEL = "CPACE0001";
const COUNT = 30;
const RETRY_AFTER_S = 2;

describe("paced posting across replicas", () => {
  const prefix = testPrefix("pace");
  let slack: FakeSlack;
  const connections: Redis[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.addChannel(CHANNEL);
  });
  afterAll(async () => {
    await slack.close();
    for (const r of connections) r.disconnect();
    await deletePrefix(prefix);
  });

  function replica(): ReminderService {
    const redis = testRedis(prefix);
    connections.push(redis);
    const client = new WebClient(slack.botToken, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    return new ReminderService({
      redis,
      notifier: pacedReminders(new SlackReminderNotifier(client), new ChannelPacer(redis)),
      logger,
      thresholds: [30, 14, 7, 1, 0],
      intervalSeconds: 900,
      syncIntervalSeconds: 21_600,
      // Both replicas scan at once: the claims and the pacer, not the scan lock, must hold.
      useScanLock: false,
    });
  }

  it("delivers a burst once each, at least 1 s apart, and honours a 429's Retry-After", async () => {
    const [a, b] = [replica(), replica()];
    const expiration = new Date(Date.now() + 12 * 3_600_000).toISOString();
    for (let i = 0; i < COUNT; i++) {
      await a.trackMintedSecret({
        clientId: `pace-client-${i}`,
        secretId: 1,
        clientName: `pace ${i}`,
        description: "burst",
        expiration,
        channel: CHANNEL,
      });
    }
    // The third post is refused with 429 Retry-After: 2.
    const inject = (async () => {
      while (slack.callsTo("chat.postMessage").length < 2)
        await new Promise((r) => setTimeout(r, 20));
      slack.failNext("chat.postMessage", { ratelimited: { retryAfter: RETRY_AFTER_S } });
    })();
    const [sentA, sentB] = await Promise.all([a.scanDue(), b.scanDue(), inject]);

    const calls = slack.callsTo("chat.postMessage").filter((c) => c.args.channel === CHANNEL);
    const delivered = calls.filter((c) => c.status === 200);
    const refused = calls.filter((c) => c.status === 429);
    expect(sentA.sent + sentB.sent).toBe(COUNT);
    expect(sentA.sent).toBeGreaterThan(0);
    expect(sentB.sent).toBeGreaterThan(0);
    // Once each: one message per client in the channel.
    const texts = slack.messages(CHANNEL).map((m) => JSON.stringify(m.blocks ?? m.text));
    expect(texts).toHaveLength(COUNT);
    for (let i = 0; i < COUNT; i++) {
      const named = new RegExp(`pace ${i}(?!\\d)`);
      expect(texts.filter((t) => named.test(t))).toHaveLength(1);
    }
    // Never two posts less than a second apart, as Slack saw them.
    const times = calls.map((c) => c.at).sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000);
    // The 429 was honoured: nothing reached the channel until Retry-After had passed.
    expect(refused).toHaveLength(1);
    const refusedAt = refused[0]?.at ?? 0;
    const after = delivered.filter((c) => c.at > refusedAt).map((c) => c.at);
    expect(Math.min(...after) - refusedAt).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1_000);
  }, 90_000);
});
