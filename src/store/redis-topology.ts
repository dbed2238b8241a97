// `npm run doctor`'s view of the Redis deployment: which mode the settings select and
// whether it can serve the bot (Sentinel: a master is known and takes writes; Cluster:
// every one of the 16384 slots has a master). Self-contained so the doctor adds one line.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import {
  createRedis,
  createRedisCluster,
  parseHostPort,
  type RedisSettings,
  redisMode,
} from "./redis.js";

export type TopologyOutcome =
  | { ok: true; detail: string }
  | { ok: false; problem: string; fix: string };

const CLUSTER_SLOTS = 16384;
const once = { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 } as const;

export function describeRedisMode(settings: RedisSettings): string {
  switch (redisMode(settings)) {
    case "cluster":
      return `Redis Cluster via ${(settings.clusterNodes ?? []).length} seed node(s)`;
    case "sentinel":
      return `Redis Sentinel, master group "${settings.sentinelMaster}" via ${(settings.sentinels ?? []).length} sentinel(s)`;
    default:
      return settings.url.startsWith("rediss:") ? "single Redis over TLS" : "single Redis";
  }
}

/** Checks the deployment the settings select; never throws. */
export async function checkRedisTopology(settings: RedisSettings): Promise<TopologyOutcome> {
  try {
    const mode = redisMode(settings);
    if (mode === "sentinel") return await checkSentinel(settings);
    if (mode === "cluster") return await checkCluster(settings);
    return { ok: true, detail: describeRedisMode(settings) };
  } catch (error) {
    return {
      ok: false,
      problem: `Redis could not be checked: ${error instanceof Error ? error.message : String(error)}`,
      fix: "check REDIS_SENTINELS / REDIS_CLUSTER_NODES and that those hosts are reachable",
    };
  }
}

async function checkSentinel(settings: RedisSettings): Promise<TopologyOutcome> {
  let master: string | undefined;
  for (const entry of settings.sentinels ?? []) {
    const sentinel = new Redis({
      ...parseHostPort(entry),
      password: settings.sentinelPassword,
      ...once,
      connectTimeout: 2_000,
    });
    sentinel.on("error", () => undefined);
    try {
      await sentinel.connect();
      const reply = await sentinel.call(
        "SENTINEL",
        "get-master-addr-by-name",
        settings.sentinelMaster ?? "",
      );
      if (Array.isArray(reply) && reply.length === 2) {
        master = `${reply[0]}:${reply[1]}`;
        break;
      }
    } catch {
      // Try the next sentinel.
    } finally {
      sentinel.disconnect();
    }
  }
  if (!master) {
    return {
      ok: false,
      problem: `no sentinel in REDIS_SENTINELS knows a master named "${settings.sentinelMaster}"`,
      fix: "check REDIS_SENTINELS (host:port of the sentinels) and REDIS_SENTINEL_MASTER (the name in `sentinel monitor`)",
    };
  }
  const redis = createRedis(settings, { ...once, connectTimeout: 3_000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    // A write proves it is the master (a replica answers READONLY); the key expires at once.
    await redis.set(`doctor:${randomUUID()}`, "1", "PX", 1);
    return { ok: true, detail: `${describeRedisMode(settings)}; master ${master} takes writes` };
  } catch (error) {
    return {
      ok: false,
      problem: `the master ${master} did not take a write: ${error instanceof Error ? error.message : String(error)}`,
      fix: "wait for the failover to finish (SENTINEL masters), and check the password in REDIS_URL",
    };
  } finally {
    redis.disconnect();
  }
}

async function checkCluster(settings: RedisSettings): Promise<TopologyOutcome> {
  const cluster = createRedisCluster(settings, { connectTimeout: 3_000 });
  cluster.on("error", () => undefined);
  try {
    const slots = (await cluster.cluster("SLOTS")) as [number, number, ...unknown[]][];
    const covered = slots.reduce((sum, [from, to]) => sum + (to - from + 1), 0);
    if (covered < CLUSTER_SLOTS) {
      return {
        ok: false,
        problem: `only ${covered} of ${CLUSTER_SLOTS} hash slots have a master`,
        fix: "fix the cluster (redis-cli --cluster check / --cluster fix) before starting the bot",
      };
    }
    return {
      ok: true,
      detail: `${describeRedisMode(settings)}; all ${CLUSTER_SLOTS} slots covered by ${slots.length} range(s)`,
    };
  } finally {
    cluster.disconnect();
  }
}
