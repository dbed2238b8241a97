// The doctor's Redis check: one connection attempt, PING, and credentials told apart
// from reachability.
import type { Config } from "../config.js";
import { createRedis, pingRedis, redisMode, redisSettingsOf } from "../store/redis.js";
import { checkRedisTopology, describeRedisMode } from "../store/redis-topology.js";
import { failed, messageOf, type Outcome, ok } from "./outcome.js";

/** host:port only: a REDIS_URL may carry a password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "REDIS_URL";
  }
}

export async function checkRedis(config: Config): Promise<Outcome> {
  const redis = createRedis(
    { url: config.redisUrl, keyPrefix: config.redisKeyPrefix },
    // One attempt: the doctor reports, it does not wait for Redis to come back.
    {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 3_000,
    },
  );
  let lastError: string | undefined;
  redis.on("error", (error: Error) => {
    lastError = error.message;
  });
  const fix = `check REDIS_URL, and that Redis runs and is reachable at ${redisAddress(config.redisUrl)} (e.g. redis-server, or docker run -p 6379:6379 redis:7)`;
  try {
    await redis.connect();
    await pingRedis(redis);
    return ok();
  } catch (error) {
    const message = lastError ?? messageOf(error);
    if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
      return failed(
        `Redis refused the credentials: ${message}`,
        "put the right user and password in REDIS_URL (redis://user:password@host:6379)",
      );
    }
    return failed(`Redis did not answer: ${message}`, fix);
  } finally {
    redis.disconnect();
  }
}

/** Which Redis mode the settings select (single, Sentinel, Cluster), and whether it can serve the bot. */
export function redisTopologyCheck(config: Config): { name: string; run: () => Promise<Outcome> } {
  const settings = redisSettingsOf(config);
  if (redisMode(settings) === "single") {
    return {
      name: `Redis answers PING at ${redisAddress(config.redisUrl)}`,
      run: async () => {
        const result = await checkRedis(config);
        return result.status === "ok" ? ok(describeRedisMode(settings)) : result;
      },
    };
  }
  return {
    name: `Redis mode: ${describeRedisMode(settings)}`,
    run: async () => {
      const result = await checkRedisTopology(settings);
      return result.ok ? ok(result.detail) : failed(result.problem, result.fix);
    },
  };
}
