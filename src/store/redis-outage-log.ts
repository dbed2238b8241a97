// While Redis cannot be reached ioredis reports an error on every reconnect attempt
// (every 2 s); the operator needs one line that says what to check, not a stream of them.

import type { Logger } from "pino";
import type { RedisClient as Redis } from "./redis.js";

export interface RedisOutageLogOptions {
  /** REDIS_URL as configured; its password is never logged. */
  url: string;
  logger: Logger;
  /** At most one line per this interval while the outage lasts (default one minute). */
  intervalMs?: number;
  now?: () => number;
}

/** Host and port of a Redis URL with any credentials removed. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/**
 * Logs "Redis cannot be reached" at most once per interval while ioredis keeps failing,
 * and one line when it answers again. Returns a function that stops watching.
 */
export function watchRedisOutage(redis: Redis, options: RedisOutageLogOptions): () => void {
  const interval = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  const where = redactRedisUrl(options.url);
  let lastLogged: number | undefined;
  let failures = 0;
  const onError = (error: Error & { code?: string }) => {
    failures++;
    const t = now();
    if (lastLogged !== undefined && t - lastLogged < interval) return;
    lastLogged = t;
    options.logger.error(
      { redis: where, cause: error.code ?? error.message, failures },
      `Redis cannot be reached at ${where} (${error.code ?? error.message}): check REDIS_URL and run \`npm run doctor\`; retrying in the background`,
    );
  };
  const onReady = () => {
    if (failures > 0) options.logger.info({ redis: where, failures }, "Redis is reachable again");
    failures = 0;
    lastLogged = undefined;
  };
  redis.on("error", onError);
  redis.on("ready", onReady);
  return () => {
    redis.off("error", onError);
    redis.off("ready", onReady);
  };
}
