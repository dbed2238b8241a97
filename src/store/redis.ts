// One place that makes Redis connections: a single Redis (REDIS_URL, redis:// or rediss://),
// Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_MASTER) or Redis Cluster
// (REDIS_CLUSTER_NODES). Commands fail fast while Redis is down (so Slack still gets an
// answer in time) and the connection comes back by itself when Redis (or a new master)
// returns.
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { clusterKeyPrefix } from "./key-naming.js";

export type { Redis };

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  /** host:port of each sentinel; with sentinelMaster, selects Sentinel mode. */
  sentinels?: readonly string[];
  sentinelMaster?: string | undefined;
  sentinelPassword?: string | undefined;
  /** host:port of some cluster nodes; selects Cluster mode. */
  clusterNodes?: readonly string[];
}

export type RedisMode = "single" | "sentinel" | "cluster";

export function redisMode(settings: RedisSettings): RedisMode {
  if (settings.clusterNodes && settings.clusterNodes.length > 0) return "cluster";
  if (settings.sentinels && settings.sentinels.length > 0 && settings.sentinelMaster)
    return "sentinel";
  return "single";
}

/** The settings from the parsed configuration. */
export function redisSettingsOf(config: {
  redisUrl: string;
  redisKeyPrefix: string;
  redisSentinels?: readonly string[];
  redisSentinelMaster?: string | undefined;
  redisSentinelPassword?: string | undefined;
  redisClusterNodes?: readonly string[];
}): RedisSettings {
  return {
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    sentinels: config.redisSentinels ?? [],
    sentinelMaster: config.redisSentinelMaster,
    sentinelPassword: config.redisSentinelPassword,
    clusterNodes: config.redisClusterNodes ?? [],
  };
}

export function parseHostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(":");
  const host = at > 0 ? entry.slice(0, at).replace(/^\[|\]$/g, "") : entry;
  const port = at > 0 ? Number(entry.slice(at + 1)) : 6379;
  return { host, port };
}

// Read-only replies come from a demoted master during a Sentinel failover: reconnect (to
// the master the sentinels now name) and resend the command; every write the bot makes is
// a whole Lua script or MULTI, so resending one that was refused is safe.
const reconnectOnError = (error: Error): 2 | false =>
  /^READONLY|^LOADING|^MASTERDOWN/.test(error.message) ? 2 : false;

const common: RedisOptions = {
  // Fail a command quickly instead of queueing it forever while disconnected:
  // listeners must ack Slack within 3 s whatever Redis is doing (a healthy local
  // Redis answers in well under a millisecond; 1 s leaves room for a loaded host).
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  reconnectOnError,
  lazyConnect: false,
  // Concurrent commands from many clicks share round trips (one write per tick).
  enableAutoPipelining: true,
};

export function createRedis(settings: RedisSettings, extra: RedisOptions = {}): Redis {
  const mode = redisMode(settings);
  if (mode === "sentinel") {
    const url = new URL(settings.url);
    return new Redis({
      ...common,
      sentinels: (settings.sentinels ?? []).map(parseHostPort),
      name: settings.sentinelMaster,
      sentinelPassword: settings.sentinelPassword,
      // REDIS_URL still carries the data nodes' password and database, if any.
      password: url.password ? decodeURIComponent(url.password) : undefined,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      db: Number(url.pathname.slice(1)) || 0,
      // Sentinel's +switch-master tells us at once instead of waiting for errors.
      failoverDetector: true,
      sentinelRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 1_000),
      keyPrefix: settings.keyPrefix,
      ...extra,
    });
  }
  return new Redis(settings.url, { ...common, keyPrefix: settings.keyPrefix, ...extra });
}

/**
 * A Cluster client. Every key carries one hash tag (see key-naming.ts), so each Lua script
 * and MULTI touches one slot; MOVED and ASK are followed by ioredis.
 */
export function createRedisCluster(settings: RedisSettings, extra: RedisOptions = {}): Cluster {
  const url = new URL(settings.url);
  return new Cluster((settings.clusterNodes ?? []).map(parseHostPort), {
    keyPrefix: clusterKeyPrefix(settings.keyPrefix),
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    scaleReads: "master",
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      ...common,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      ...(url.protocol === "rediss:" ? { tls: {} } : {}),
      ...extra,
    },
  });
}

/** The health ping: resolves when Redis answers PONG, else throws saying what it got. */
export async function pingRedis(redis: Redis | Cluster): Promise<void> {
  const pong = await redis.ping();
  if (pong !== "PONG") throw new Error(`Redis answered ${pong} to PING`);
}

/** Closes the connection after pending replies arrive; falls back to a hard disconnect. */
export async function closeRedis(redis: Redis | Cluster): Promise<void> {
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
    /Connection is closed|Command timed out|ECONNREFUSED|Stream isn't writeable|enableOfflineQueue|^READONLY|^CLUSTERDOWN|^TRYAGAIN|^MASTERDOWN|All sentinels are unreachable|Failed to refresh slots cache/i.test(
      error.message,
    )
  );
}

/** What the stores take: a single/Sentinel connection or a Cluster (same command API). */
export type RedisClient = Redis | Cluster;

/** The connection for the configured mode: Cluster, Sentinel or a single Redis. */
export function connectRedis(settings: RedisSettings, extra: RedisOptions = {}): RedisClient {
  return redisMode(settings) === "cluster"
    ? createRedisCluster(settings, extra)
    : createRedis(settings, extra);
}
