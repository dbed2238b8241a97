// Real Redis for tests, isolated by a unique key prefix; cleanup deletes only that prefix.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedis } from "../../src/store/redis.js";

export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function testPrefix(label = "t"): string {
  return `test:${label}:${randomUUID().slice(0, 8)}:`;
}

export function testRedis(prefix: string): Redis {
  return createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix });
}

/** Every key under the prefix with its value dumped as text (for leak searches). */
export async function dumpKeys(prefix: string): Promise<Map<string, string>> {
  const raw = new Redis(TEST_REDIS_URL);
  const out = new Map<string, string>();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const type = await raw.type(key);
        let value: unknown;
        if (type === "string") value = await raw.get(key);
        else if (type === "hash") value = await raw.hgetall(key);
        else if (type === "set") value = await raw.smembers(key);
        else if (type === "zset") value = await raw.zrange(key, 0, -1, "WITHSCORES");
        else if (type === "list") value = await raw.lrange(key, 0, -1);
        else if (type === "stream") value = await raw.xrange(key, "-", "+");
        else value = `<${type}>`;
        out.set(key, JSON.stringify(value));
      }
    } while (cursor !== "0");
  } finally {
    raw.disconnect();
  }
  return out;
}

export async function deletePrefix(prefix: string): Promise<void> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await raw.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await raw.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    raw.disconnect();
  }
}
