import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY_SECONDS, nextDueAt } from "../../src/reminders/thresholds.js";
import { TrackedSecretStore, type TrackInput } from "../../src/store/tracked-secrets.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix, testRedis } from "../support/redis.js";
import { THRESHOLDS } from "./harness.js";

const NOW = 1_800_000_000;
const LEASE = 300;

let prefix: string;
let redis: Redis;
let store: TrackedSecretStore;
const extra: Redis[] = [];

beforeEach(() => {
  prefix = testPrefix("tracked");
  redis = testRedis(prefix);
  store = new TrackedSecretStore(redis, THRESHOLDS);
});

afterEach(async () => {
  for (const r of [redis, ...extra.splice(0)]) r.disconnect();
  await deletePrefix(prefix);
});

afterAll(async () => {
  await deletePrefix(prefix);
});

const secret = (over: Partial<TrackInput> = {}): TrackInput => ({
  clientId: randomUUID(),
  secretId: 1,
  clientName: "Billing exporter",
  description: "prod",
  expiration: NOW + 10 * DAY_SECONDS,
  channel: "CTEAM0001",
  source: "tenant",
  ...over,
});

describe("tracking secrets", () => {
  it("schedules each secret at its next threshold, exactly as nextDueAt says (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -40 * DAY_SECONDS, max: 400 * DAY_SECONDS }),
        fc.option(fc.constantFrom(...THRESHOLDS), { nil: undefined }),
        async (offset, last) => {
          const s = secret({ expiration: NOW + offset });
          await store.trackSecret(s);
          if (last !== undefined) {
            // Reach `last` the way production does: a claim that is committed.
            const won = await store.claim(s, last, s.expiration, NOW, LEASE);
            if (won.ok) await store.commit(won.claim);
          }
          expect(await store.dueAt(s)).toBe(nextDueAt(NOW + offset, THRESHOLDS, last) ?? null);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps a bot-minted secret's channel and source when the tenant sync finds it too", async () => {
    const minted = secret({ source: "bot", channel: "CTEAM0001" });
    await store.trackSecret(minted);
    await store.trackSecret({
      ...minted,
      source: "tenant",
      channel: "CREMIND01",
      clientName: "Renamed in ADH",
    });
    const got = await store.get(minted);
    expect(got).toMatchObject({
      source: "bot",
      channel: "CTEAM0001",
      clientName: "Renamed in ADH",
    });
  });

  it("starts the reminders over when the expiration changes", async () => {
    const s = secret({ expiration: NOW + 6 * DAY_SECONDS });
    await store.trackSecret(s);
    const won = await store.claim(s, 7, s.expiration, NOW, LEASE);
    if (!won.ok) throw new Error("claim failed");
    await store.commit(won.claim);
    expect((await store.get(s))?.lastThreshold).toBe(7);

    const extended = { ...s, expiration: NOW + 365 * DAY_SECONDS };
    await store.trackSecret(extended);
    const got = await store.get(s);
    expect(got?.lastThreshold).toBeUndefined();
    expect(await store.dueAt(s)).toBe(extended.expiration - 30 * DAY_SECONDS);
  });

  it("untracks a secret, a whole client, and keeps one tracked after the cutoff", async () => {
    const clientId = randomUUID();
    await store.trackSecret(secret({ clientId, secretId: 1 }));
    await store.trackSecret(secret({ clientId, secretId: 2 }));
    const syncStarted = await store.serverTime();
    await store.trackSecret(secret({ clientId, secretId: 3 })); // minted while the sync ran
    expect(await store.untrackSecret({ clientId, secretId: 1 })).toBe(true);
    // The sync could not have seen secret 3: it is kept.
    expect(await store.untrackClient(clientId, syncStarted)).toBe(1);
    expect((await store.listTracked()).map((s) => s.secretId)).toEqual([3]);
    expect(await store.untrackClient(clientId)).toBe(1);
    expect(await store.listTracked()).toEqual([]);
    expect(await store.trackedClientIds()).toEqual([]);
    expect(await redis.zcard("tracked:due")).toBe(0);
  });
});

describe("claims: once-only delivery", () => {
  it("lets exactly one of 20 concurrent claimers (separate connections) win a (secret, threshold)", async () => {
    const s = secret({ expiration: NOW + 6 * DAY_SECONDS });
    await store.trackSecret(s);
    const replicas = Array.from({ length: 20 }, () => {
      const r = testRedis(prefix);
      extra.push(r);
      return new TrackedSecretStore(r, THRESHOLDS);
    });
    const outcomes = await Promise.all(
      replicas.map((r) => r.claim(s, 7, s.expiration, NOW, LEASE)),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok && o.reason === "busy")).toHaveLength(19);
  });

  it("commit marks the threshold and every larger one done and moves to the next", async () => {
    const s = secret({ expiration: NOW + 3 * DAY_SECONDS }); // 30 and 14 were never sent
    await store.trackSecret(s);
    const won = await store.claim(s, 7, s.expiration, NOW, LEASE);
    if (!won.ok) throw new Error("claim failed");
    expect(await store.dueAt(s)).toBe(NOW + LEASE); // out of the due range while posting
    await store.commit(won.claim);
    expect(await store.dueAt(s)).toBe(s.expiration! - 1 * DAY_SECONDS);
    for (const t of [30, 14, 7]) {
      expect(await store.claim(s, t, s.expiration, NOW, LEASE)).toEqual({
        ok: false,
        reason: "done",
      });
    }
  });

  it("release after a failed post puts the reminder back where it was", async () => {
    const s = secret({ expiration: NOW + 6 * DAY_SECONDS });
    await store.trackSecret(s);
    const before = await store.dueAt(s);
    const won = await store.claim(s, 7, s.expiration, NOW, LEASE);
    if (!won.ok) throw new Error("claim failed");
    expect(await store.release(won.claim)).toBe(true);
    expect(await store.dueAt(s)).toBe(before);
    expect((await store.get(s))?.lastThreshold).toBeUndefined();
    expect((await store.claim(s, 7, s.expiration, NOW, LEASE)).ok).toBe(true);
  });

  it("a crashed holder's lease runs out and the claim can be taken again; its late commit cannot undo the new one", async () => {
    const s = secret({ expiration: NOW + 6 * DAY_SECONDS });
    await store.trackSecret(s);
    const crashed = await store.claim(s, 7, s.expiration, NOW, LEASE);
    if (!crashed.ok) throw new Error("claim failed");
    expect(await store.claim(s, 7, s.expiration, NOW + LEASE - 1, LEASE)).toEqual({
      ok: false,
      reason: "busy",
    });
    const retry = await store.claim(s, 7, s.expiration, NOW + LEASE + 1, LEASE);
    expect(retry.ok).toBe(true);
    if (!retry.ok) return;
    // The first holder was only slow: its release must not free the retry's claim.
    expect(await store.release(crashed.claim)).toBe(false);
    await store.commit(retry.claim);
    expect((await store.get(s))?.lastThreshold).toBe(7);
    expect((await store.get(s))?.pending).toBeUndefined();
  });

  it("refuses a claim for a secret that is gone or whose expiry changed since it was read", async () => {
    const s = secret({ expiration: NOW + 6 * DAY_SECONDS });
    await store.trackSecret(s);
    expect(await store.claim(s, 7, NOW + 99, NOW, LEASE)).toEqual({ ok: false, reason: "stale" });
    await store.untrackSecret(s);
    expect(await store.claim(s, 7, s.expiration, NOW, LEASE)).toEqual({
      ok: false,
      reason: "gone",
    });
  });

  it("reports a never-expiring secret once", async () => {
    const s = secret({ expiration: null });
    await store.trackSecret(s);
    expect(await store.dueBefore(NOW, 10)).toEqual([{ clientId: s.clientId, secretId: 1 }]);
    const won = await store.claim(s, "finding", null, NOW, LEASE);
    if (!won.ok) throw new Error("claim failed");
    await store.commit(won.claim);
    expect(await store.dueBefore(NOW + 1000 * DAY_SECONDS, 10)).toEqual([]);
    expect(await store.claim(s, "finding", null, NOW, LEASE)).toEqual({
      ok: false,
      reason: "done",
    });
    expect((await store.get(s))?.neverExpiresReported).toBe(true);
  });
});

describe("size and speed", () => {
  it("keeps a tracked secret under 1 KB of Redis and finds due ones among 20,000 by index", async () => {
    const count = 20_000;
    const clients = Array.from({ length: count / 2 }, () => randomUUID());
    const inputs: TrackInput[] = clients.flatMap((clientId, i) =>
      [1, 2].map((secretId) =>
        secret({
          clientId,
          secretId,
          clientName: `Sensor gateway ${i} (plant ${i % 40})`,
          description: secretId === 1 ? "primary, rotated yearly" : "backup",
          // Spread over 400 days; every 20th never expires.
          expiration: i % 20 === 0 ? null : NOW + ((i * 7919 + secretId * 31) % 400) * DAY_SECONDS,
        }),
      ),
    );
    const t0 = performance.now();
    await store.trackMany(inputs);
    const writeMs = performance.now() - t0;

    const raw = new Redis(TEST_REDIS_URL);
    extra.push(raw);
    const usage = async (key: string) =>
      Number(await raw.memory("USAGE", `${prefix}${key}`, "SAMPLES", 0));
    let hashBytes = 0;
    const sample = inputs.slice(0, 500);
    for (const s of sample) hashBytes += await usage(`tracked:secret:${s.clientId}:${s.secretId}`);
    let clientSetBytes = 0;
    for (const c of clients.slice(0, 250)) clientSetBytes += await usage(`tracked:client:${c}`);
    const perSecret =
      hashBytes / sample.length +
      clientSetBytes / 250 / 2 +
      ((await usage("tracked:due")) + (await usage("tracked:clients"))) / count;

    const t1 = performance.now();
    const rounds = 50;
    let found = 0;
    for (let i = 0; i < rounds; i++)
      found += (await store.dueBefore(NOW + 30 * DAY_SECONDS, 200)).length;
    const dueMs = (performance.now() - t1) / rounds;

    console.log(
      `[tracked-secrets] ${count} secrets written in ${writeMs.toFixed(0)} ms; Redis bytes per tracked secret ≈ ${perSecret.toFixed(0)} (hash ${(hashBytes / sample.length).toFixed(0)} + due ZSET, client sets); dueBefore(limit 200) among ${count}: ${dueMs.toFixed(2)} ms`,
    );
    expect(found).toBe(rounds * 200);
    expect(perSecret).toBeLessThan(1024);
    expect(dueMs).toBeLessThan(50);
  }, 60_000);
});
