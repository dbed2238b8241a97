// The tenant's client list for `/hybrid-client list`, cached in Redis for every replica:
// loaded at most once a minute (one replica loads under a short lock, the others wait for
// its result), so five people typing `list` at once cost one round of ADH calls.
import { randomBytes } from "node:crypto";
import type { RedisClient as Redis } from "./redis.js";

const VALUE_KEY = "list-cache:catalog";
const LOCK_KEY = "list-cache:loading";
// Deletes the lock only when it is still ours.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface CachedList<T> {
  /** When it was loaded (epoch ms). */
  at: number;
  value: T;
}

export interface ListCacheOptions {
  /** How long a loaded list is served (default 60 s). */
  freshMs?: number;
  /** How long one replica may hold the load before another tries (default 5 min). */
  loadLeaseMs?: number;
  /** How often a waiting replica looks for the loader's result (default 100 ms). */
  pollMs?: number;
  now?: () => number;
}

export class ListCache<T> {
  private readonly freshMs: number;
  private readonly loadLeaseMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    options: ListCacheOptions = {},
  ) {
    this.freshMs = options.freshMs ?? 60_000;
    this.loadLeaseMs = options.loadLeaseMs ?? 300_000;
    this.pollMs = options.pollMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** The cached list when it is fresh, else the result of `load` (run by one replica). */
  async get(load: () => Promise<T>): Promise<CachedList<T>> {
    const deadline = this.now() + this.loadLeaseMs;
    for (;;) {
      const cached = await this.read();
      if (cached) return cached;
      const token = randomBytes(12).toString("hex");
      const locked = await this.redis.set(LOCK_KEY, token, "PX", this.loadLeaseMs, "NX");
      if (locked === "OK") {
        try {
          const loaded: CachedList<T> = { at: this.now(), value: await load() };
          await this.redis.set(VALUE_KEY, JSON.stringify(loaded), "PX", this.freshMs);
          return loaded;
        } finally {
          await this.redis.eval(RELEASE_SCRIPT, 1, LOCK_KEY, token).catch(() => undefined);
        }
      }
      // Another replica (or another call here) is loading: its result is ours too.
      if (this.now() > deadline) return { at: this.now(), value: await load() };
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async read(): Promise<CachedList<T> | null> {
    const raw = await this.redis.get(VALUE_KEY);
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as CachedList<T>;
    } catch {
      return null;
    }
  }
}
