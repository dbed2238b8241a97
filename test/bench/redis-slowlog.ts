// Redis' own view of the run: SLOWLOG entries (commands over slowlog-log-slower-than,
// 10 ms by default) logged while the benchmark ran, on the benchmark's keys.
import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "../support/redis.js";

export interface SlowlogSummary {
  /** Entries on the benchmark's keys since the mark. */
  entries: number;
  slowest: { command: string; ms: number }[];
}

type Entry = [number, number, number, string[], ...unknown[]];

async function withRedis<T>(work: (raw: Redis) => Promise<T>): Promise<T> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    return await work(raw);
  } finally {
    raw.disconnect();
  }
}

/** The id of the newest SLOWLOG entry now (-1 when empty). */
export function slowlogMark(): Promise<number> {
  return withRedis(async (raw) => {
    const [newest] = (await raw.slowlog("GET", 1)) as Entry[];
    return newest ? newest[0] : -1;
  });
}

/** Entries after `mark` whose arguments touch a key under one of `prefixes`. */
export function slowlogSince(mark: number, prefixes: string[]): Promise<SlowlogSummary> {
  return withRedis(async (raw) => {
    const entries = ((await raw.slowlog("GET", 1000)) as Entry[]).filter(
      ([id, , , args]) =>
        id > mark && args.some((a) => prefixes.some((p) => String(a).startsWith(p))),
    );
    return {
      entries: entries.length,
      slowest: entries
        .sort((a, b) => b[2] - a[2])
        .slice(0, 5)
        .map(([, , micros, args]) => ({
          command: String(args[0]).toUpperCase(),
          ms: Math.round(micros / 100) / 10,
        })),
    };
  });
}
