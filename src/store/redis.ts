// One place that makes Redis connections: REDIS_URL and REDIS_KEY_PREFIX honoured,
// commands fail fast while Redis is down (so Slack still gets an answer in time)
// and the connection comes back by itself when Redis returns.
import { Redis, type RedisOptions } from "ioredis";

export type { Redis };

export interface RedisSettings {
  url: string;
  keyPrefix: string;
}

export function createRedis(settings: RedisSettings, extra: RedisOptions = {}): Redis {
  return new Redis(settings.url, {
    keyPrefix: settings.keyPrefix,
    // Fail a command quickly instead of queueing it forever while disconnected:
    // listeners must ack Slack within 3 s whatever Redis is doing (a healthy local
    // Redis answers in well under a millisecond; 1 s leaves room for a loaded host).
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    lazyConnect: false,
    // Concurrent commands from many clicks share round trips (one write per tick).
    enableAutoPipelining: true,
    ...extra,
  });
}

/** The health ping: resolves when Redis answers PONG, else throws saying what it got. */
export async function pingRedis(redis: Redis): Promise<void> {
  const pong = await redis.ping();
  if (pong !== "PONG") throw new Error(`Redis answered ${pong} to PING`);
}

/** Closes the connection after pending replies arrive; falls back to a hard disconnect. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("quit timeout")), 1_000)),
    ]);
  } catch {
    redis.disconnect();
  }
}

/** True for the errors ioredis gives while Redis cannot be reached (not for a bad command). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|Command timed out|ECONNREFUSED|Stream isn't writeable|enableOfflineQueue/i.test(
      error.message,
    )
  );
}
