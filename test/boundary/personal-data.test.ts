// Personal data the bot does not need to keep: the Redis email → ADH user index expires
// (a day after its rebuild), and the Slack SDK's debug lines carry no email address.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USER_INDEX_KEY, USER_INDEX_TTL_SECONDS, UserDirectory } from "../../src/adh/users.js";
import { createLogger, slackLogger } from "../../src/log.js";
import { closeRedis, type Redis } from "../../src/store/redis.js";
import { adhClientFor } from "../adh/support.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

describe("the email → user index in Redis", () => {
  let fake: FakeAdh;
  let redis: Redis;
  const prefix = testPrefix("ttl");
  beforeAll(async () => {
    fake = await startFakeAdh();
    fake.addUser({ email: "someone@example.com", name: "Someone" });
    redis = testRedis(prefix);
  });
  afterAll(async () => {
    await closeRedis(redis);
    await deletePrefix(prefix);
    await fake.close();
  });

  it("has a TTL of at most a day once built, and lookups still work", async () => {
    const directory = new UserDirectory({
      adh: adhClientFor(fake),
      redis,
      logger: pino({ level: "silent" }),
    });
    expect(await directory.findUserByEmail("Someone@Example.com")).toMatchObject({
      name: "Someone",
    });
    const ttl = await redis.ttl(USER_INDEX_KEY);
    expect(ttl).toBeGreaterThan(USER_INDEX_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(USER_INDEX_TTL_SECONDS);
    expect(USER_INDEX_TTL_SECONDS).toBeLessThanOrEqual(86_400);
  });
});

describe("the Slack SDK's debug lines", () => {
  it("carry no email address, in text or in logged objects", () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const sdk = slackLogger(createLogger({ level: "debug", destination }));
    sdk.debug("http response received", {
      ok: true,
      user: { id: "U1", profile: { email: "Jane.Doe+ops@corp.example.co.uk" } },
    });
    sdk.debug("apiCall('users.lookupByEmail') start; email=jane@example.com");
    const all = lines.join("");
    expect(lines).toHaveLength(2);
    expect(all).not.toMatch(/@[a-z]/i);
    expect(all).toContain("[email]");
    expect(all).toContain('\\"id\\":\\"U1\\"');
  });
});
