// SLOW (≈ 15-25 s): the 10,000-client tenant sync of issue 4, against the fake ADH
// answering every call in 20 ms and refusing (429) more than 20 calls in flight.
// Prints wall time, ADH calls, Redis bytes per tracked secret and the due-lookup time.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdhClient } from "../../src/adh/client.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix, testRedis } from "../support/redis.js";
import { adhClientFor, Clock, RecordingNotifier, reminderService } from "./harness.js";

const CLIENTS = 10_000;

let fake: FakeAdh;
let adh: AdhClient;
let redis: Redis;
let raw: Redis;
const prefix = testPrefix("sync10k");

beforeAll(async () => {
  fake = await startFakeAdh({ latencyMs: 20, maxInFlight: 20 });
  adh = adhClientFor(fake);
  redis = testRedis(prefix);
  raw = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  redis.disconnect();
  raw.disconnect();
  await adh.close();
  await fake.close();
  await deletePrefix(prefix);
});

describe("tenant sync at scale [slow]", () => {
  it("syncs 10,000 clients × 2 secrets within 60 s without a single 429", async () => {
    const clock = new Clock();
    for (let i = 0; i < CLIENTS; i++) {
      fake.addClient({ Name: `Plant ${i % 97} gateway ${i}` }, [
        { description: "primary", expiration: clock.inDays(1 + (i % 400)) },
        { description: "standby", expiration: i % 50 === 0 ? null : clock.inDays(200 + (i % 300)) },
      ]);
    }
    const service = reminderService({
      redis,
      notifier: new RecordingNotifier(),
      clock,
      source: adh,
    });
    const callsBefore = fake.calls.length;

    const t0 = performance.now();
    const result = await service.syncTenant();
    const wallMs = performance.now() - t0;
    const httpCalls = fake.calls.length - callsBefore;

    expect(result).toMatchObject({
      ran: true,
      clients: CLIENTS,
      secrets: 2 * CLIENTS,
      untracked: 0,
    });
    expect(fake.count429).toBe(0);
    expect(fake.maxObservedInFlight).toBeLessThanOrEqual(20);
    expect(wallMs).toBeLessThan(60_000);

    // Redis bytes per tracked secret: every hash sampled, plus the shared index keys.
    const usage = async (key: string) =>
      Number(await raw.memory("USAGE", `${prefix}${key}`, "SAMPLES", 0));
    const clients = await service.tracked.trackedClientIds();
    let bytes = (await usage("tracked:due")) + (await usage("tracked:clients"));
    const sample = clients.slice(0, 500);
    let sampleBytes = 0;
    for (const id of sample) {
      sampleBytes += await usage(`tracked:client:${id}`);
      for (const sid of [1, 2]) sampleBytes += await usage(`tracked:secret:${id}:${sid}`);
    }
    bytes += (sampleBytes / sample.length) * clients.length;
    const perSecret = bytes / (2 * CLIENTS);

    // The due lookup among the 20,000 tracked secrets: what each scan does first.
    const t1 = performance.now();
    const rounds = 50;
    for (let i = 0; i < rounds; i++)
      await service.tracked.dueBefore(clock.ms / 1000 + 40 * 86_400, 200);
    const dueMs = (performance.now() - t1) / rounds;

    console.log(
      `[tenant-sync-10k] ${CLIENTS} clients × 2 secrets: wall ${(wallMs / 1000).toFixed(1)} s, ` +
        `${result.calls} ADH calls (${httpCalls} HTTP incl. token), 429s ${fake.count429}, ` +
        `max in flight ${fake.maxObservedInFlight}; Redis ≈ ${perSecret.toFixed(0)} bytes per tracked secret; ` +
        `dueBefore(limit 200) among ${2 * CLIENTS}: ${dueMs.toFixed(2)} ms`,
    );
    expect(perSecret).toBeLessThan(1024);
    await service.stop();
  }, 90_000);
});
