// Part 3: a tenant of 10,000 hybrid clients with 2 secrets each behind a fake ADH that
// answers in 20 ms and refuses (429) a 21st call in flight: the full tenant sync, the
// Redis it costs per tracked secret, and finding the due reminders among 20,000.
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { AdhClient } from "../../src/adh/client.js";
import { createLogger } from "../../src/log.js";
import type { ReminderNotifier } from "../../src/reminders/ports.js";
import { ReminderService } from "../../src/reminders/service.js";
import { createRedis } from "../../src/store/redis.js";
import { startFakeAdh } from "../fakes/adh.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix } from "../support/redis.js";
import { type LatencySummary, round, summarize } from "./stats.js";

export const SECRETS_PER_CLIENT = 2;
export const SYNC_TARGET_S = 60;
export const BYTES_PER_SECRET_TARGET = 1024;
export const LOOKUP_TARGET_MS = 100;
const DAY_MS = 86_400_000;

export interface ReminderScaleResult {
  clients: number;
  trackedSecrets: number;
  sync: { seconds: number; adhCalls: number; httpRequests: number; count429: number };
  syncMaxInFlightAtAdh: number;
  memory: {
    /** INFO used_memory after − before, ÷ tracked secrets. */
    infoBytesPerSecret: number;
    /** Σ MEMORY USAGE of every key under the prefix, ÷ tracked secrets. */
    keysBytesPerSecret: number;
    /** MEMORY USAGE of one secret's hash. */
    sampleHashBytes: number;
    /** MEMORY USAGE of the due index (ZSET) ÷ its members. */
    dueIndexBytesPerMember: number;
  };
  due: number;
  /** dueBefore(now, 200): one scan batch. */
  lookupBatch: LatencySummary;
  /** dueBefore(now, all): every due secret at once. */
  lookupAll: LatencySummary;
}

const quietNotifier: ReminderNotifier = {
  async postReminder() {},
  async postNeverExpiresFinding() {},
};

/** ~1 in 12 secrets is due now (expires within 30 days), 1 in 100 never expires. */
function expirationFor(client: number, secret: number, now: number): string | null {
  if ((client + secret) % 100 === 0) return null;
  const days = secret === 0 ? (client % 365) + 1 : ((client * 7) % 730) + 1;
  return new Date(now + days * DAY_MS).toISOString();
}

async function usedMemory(raw: Redis): Promise<number> {
  const info = await raw.info("memory");
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/** Σ MEMORY USAGE (exact, SAMPLES 0) of every key under `prefix`. */
async function keysMemory(raw: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = "0";
  do {
    const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    const pipeline = raw.pipeline();
    for (const key of keys) pipeline.memory("USAGE", key, "SAMPLES", 0);
    for (const [, bytes] of (await pipeline.exec()) ?? []) total += Number(bytes ?? 0);
  } while (cursor !== "0");
  return total;
}

async function timeIt(times: number, work: () => Promise<unknown>): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

export async function measureReminderScale(
  clients: number,
  log: (line: string) => void,
): Promise<ReminderScaleResult> {
  const adh = await startFakeAdh({ latencyMs: 20, maxInFlight: 20 });
  const prefix = testPrefix("bench-reminders");
  const raw = new Redis(TEST_REDIS_URL);
  const redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix });
  const logger = createLogger({
    level: "info",
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const source = new AdhClient({
    baseUrl: adh.url,
    tenantId: adh.tenantId,
    clientId: adh.clientId,
    clientSecret: adh.clientSecret,
    logger,
  });
  try {
    const now = Date.now();
    for (let c = 0; c < clients; c++) {
      adh.addClient(
        { Name: `tenant-client-${c}`, RedirectUris: ["https://example.com/cb"] },
        Array.from({ length: SECRETS_PER_CLIENT }, (_, s) => ({
          description: `secret ${s} of client ${c}`,
          expiration: expirationFor(c, s, now),
        })),
      );
    }
    const reminders = new ReminderService({
      redis,
      source,
      notifier: quietNotifier,
      logger,
      thresholds: [30, 14, 7, 1, 0],
      reminderChannel: "C0REMIND01",
      intervalSeconds: 900,
      syncIntervalSeconds: 21_600,
    });
    await source.getToken(); // the token is cached for the whole sync; not part of it

    log(`  tenant sync: ${clients} clients × ${SECRETS_PER_CLIENT} secrets, ADH at 20 ms`);
    const before = await usedMemory(raw);
    const requestsBefore = adh.calls.length;
    const started = performance.now();
    const outcome = await reminders.syncTenant();
    const seconds = (performance.now() - started) / 1000;
    const after = await usedMemory(raw);
    const tracked = outcome.secrets;
    log(`    ${round(seconds, 1)} s, ${outcome.calls} ADH calls, ${adh.count429} × 429`);

    const keysBytes = await keysMemory(raw, prefix);
    const sampleKey = `${prefix}tracked:secret:${adh.clients()[0]?.Id}:1`;
    const sampleHashBytes = Number(await raw.memory("USAGE", sampleKey, "SAMPLES", 0));
    const dueBytes = Number(await raw.memory("USAGE", `${prefix}tracked:due`, "SAMPLES", 0));
    const dueMembers = await raw.zcard(`${prefix}tracked:due`);

    const nowSec = Date.now() / 1000;
    const due = (await reminders.tracked.dueBefore(nowSec, 1_000_000)).length;
    const lookupBatch = await timeIt(50, () => reminders.tracked.dueBefore(nowSec, 200));
    const lookupAll = await timeIt(20, () => reminders.tracked.dueBefore(nowSec, 1_000_000));
    await reminders.stop();

    return {
      clients: outcome.clients,
      trackedSecrets: tracked,
      sync: {
        seconds: round(seconds),
        adhCalls: outcome.calls,
        httpRequests: adh.calls.length - requestsBefore,
        count429: adh.count429,
      },
      syncMaxInFlightAtAdh: adh.maxObservedInFlight,
      memory: {
        infoBytesPerSecret: round((after - before) / tracked, 0),
        keysBytesPerSecret: round(keysBytes / tracked, 0),
        sampleHashBytes,
        dueIndexBytesPerMember: round(dueBytes / Math.max(1, dueMembers), 0),
      },
      due,
      lookupBatch,
      lookupAll,
    };
  } finally {
    await source.close();
    redis.disconnect();
    await deletePrefix(prefix);
    raw.disconnect();
    await adh.close();
  }
}
