// Finding the ADH user behind a Slack email, through the Redis index rebuilt on a miss.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdhClient } from "../../src/adh/client.js";
import { AdhError } from "../../src/adh/errors.js";
import { USER_INDEX_KEY, UserDirectory } from "../../src/adh/users.js";
import { closeRedis, createRedis, type Redis } from "../../src/store/redis.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const logger = pino({ level: "silent" });

let fake: FakeAdh;
let adh: AdhClient;
let raw: Redis; // no prefix: for inspecting and cleaning up
const opened: Redis[] = [];
const prefixes: string[] = [];
let prefix: string;
let redis: Redis;
let clock: number;

function connect(): Redis {
  const connection = createRedis({ url: REDIS_URL, keyPrefix: prefix });
  opened.push(connection);
  return connection;
}

const userListCalls = () => fake.callsTo("GET /Users").length;

function directory(extra: { minRefreshIntervalMs?: number } = {}): UserDirectory {
  return new UserDirectory({ adh, redis, logger, now: () => clock, ...extra });
}

async function keysUnder(p: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await raw.scan(cursor, "MATCH", `${p}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

beforeAll(async () => {
  fake = await startFakeAdh();
  adh = new AdhClient({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger,
    retry: { baseDelayMs: 5 },
    pageSize: 50,
  });
  raw = createRedis({ url: REDIS_URL, keyPrefix: "" });
  for (let i = 0; i < 120; i++) fake.addUser({ email: `filler${i}@example.com` });
});

beforeEach(() => {
  // A fresh index per test: each one starts from an empty Redis namespace.
  prefix = `test:${randomUUID()}:`;
  prefixes.push(prefix);
  redis = connect();
  clock = 1_700_000_000_000;
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await keysUnder(p);
    if (keys.length > 0) await raw.del(...keys);
  }
  await Promise.all([...opened, raw].map((r) => closeRedis(r)));
  await adh.close();
  await fake.close();
});

describe("UserDirectory.findUserByEmail", () => {
  it("matches Email case-insensitively", async () => {
    const id = fake.addUser({ email: "Ada.Lovelace@Example.com", name: "Ada Lovelace" });
    const users = directory();
    expect(await users.findUserByEmail("ada.lovelace@example.COM")).toEqual({
      id,
      name: "Ada Lovelace",
    });
    expect(await users.findUserByEmail("  ADA.LOVELACE@EXAMPLE.COM ")).toEqual({
      id,
      name: "Ada Lovelace",
    });
  });

  it("falls back to ContactEmail (invitation not yet accepted)", async () => {
    const id = fake.addUser({ contactEmail: "Invited@Example.com" });
    expect(await directory().findUserByEmail("invited@example.com")).toEqual({ id });
  });

  it("prefers a user's Email over another user's ContactEmail", async () => {
    const invited = fake.addUser({ contactEmail: "shared@example.com", name: "Invitation" });
    const owner = fake.addUser({ email: "SHARED@example.com", name: "Owner" });
    const found = await directory().findUserByEmail("shared@example.com");
    expect(found?.id).toBe(owner);
    expect(found?.id).not.toBe(invited);
  });

  it("an unknown email is null", async () => {
    expect(await directory().findUserByEmail("nobody@example.com")).toBeNull();
    expect(await directory().findUserByEmail("   ")).toBeNull();
  });

  it("a miss refreshes from ADH at most once per interval", async () => {
    const users = directory({ minRefreshIntervalMs: 60_000 });
    const pages = Math.ceil((await adh.listUsersPage(0, 1)).total / 50);
    const start = userListCalls();

    expect(await users.findUserByEmail("later@example.com")).toBeNull();
    expect(userListCalls() - start).toBe(pages); // first miss: one full rebuild

    const id = fake.addUser({ email: "later@example.com" });
    clock += 59_000;
    expect(await users.findUserByEmail("later@example.com")).toBeNull();
    expect(await users.findUserByEmail("another-miss@example.com")).toBeNull();
    expect(userListCalls() - start).toBe(pages); // within the interval: no rebuild

    clock += 1_000;
    expect(await users.findUserByEmail("later@example.com")).toEqual({ id });
    const afterRefresh = userListCalls() - start;
    expect(afterRefresh).toBeGreaterThan(pages);

    expect(await users.findUserByEmail("later@example.com")).toEqual({ id }); // a hit: no call
    expect(userListCalls() - start).toBe(afterRefresh);
  });

  it("replicas missing at once rebuild the index once", async () => {
    const id = fake.addUser({ email: "crowd@example.com" });
    const replicaA = directory();
    const replicaB = new UserDirectory({
      adh,
      redis: connect(),
      logger,
      now: () => clock,
    });
    const start = userListCalls();
    const pages = Math.ceil((await adh.listUsersPage(0, 1)).total / 50);
    const found = await Promise.all([
      ...Array.from({ length: 5 }, () => replicaA.findUserByEmail("crowd@example.com")),
      ...Array.from({ length: 5 }, () => replicaB.findUserByEmail("CROWD@example.com")),
    ]);
    expect(found).toEqual(Array.from({ length: 10 }, () => ({ id })));
    expect(userListCalls() - start).toBe(pages + 1); // one rebuild + our own count query
  });

  it("keeps the index in Redis under the key prefix, with no secret in it", async () => {
    // Put secrets and tokens into circulation first, so a leak would have something to leak.
    const created = await adh.createHybridClient({
      Id: randomUUID(),
      Name: "leak check",
      RedirectUris: ["https://a/cb"],
      PostLogoutRedirectUris: [],
      AccessTokenLifetime: 3600,
      AllowOfflineAccess: false,
      SecretDescription: "",
      SecretExpirationDate: null,
    });
    const id = fake.addUser({ email: "indexed@example.com", name: "Indexed" });
    expect(await directory().findUserByEmail("indexed@example.com")).toEqual({
      id,
      name: "Indexed",
    });

    const keys = await keysUnder(prefix);
    expect(keys.sort()).toEqual([`${prefix}adh:users:email`, `${prefix}adh:users:refreshedAt`]);
    expect(await raw.hget(`${prefix}${USER_INDEX_KEY}`, "indexed@example.com")).toBe(
      JSON.stringify({ id, name: "Indexed" }),
    );
    const dump = JSON.stringify(await raw.hgetall(`${prefix}${USER_INDEX_KEY}`));
    const secrets = [
      fake.clientSecret,
      created.initialSecret!.value,
      ...fake.issuedSecrets,
      ...fake.issuedTokens,
    ];
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });

  it("an ADH failure during the rebuild is an AdhError, and the next miss tries again", async () => {
    const users = directory();
    fake.inject("GET /Users", { status: 403 });
    await expect(users.findUserByEmail("x@example.com")).rejects.toBeInstanceOf(AdhError);
    const id = fake.addUser({ email: "x@example.com" });
    expect(await users.findUserByEmail("x@example.com")).toEqual({ id });
  });
});
