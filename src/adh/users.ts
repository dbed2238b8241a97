// Finds the ADH user behind a Slack email. ADH has no lookup by email, so the whole
// user list is indexed into Redis (email → Id and Name, nothing secret) and rebuilt on
// a miss — at most once per interval, and by one replica at a time.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster, Redis as SingleRedis } from "ioredis";
import type { Logger } from "pino";
import { z } from "zod";

/** A single, Sentinel or Cluster connection (the store's RedisClient, named here to keep adh/ beside store/). */
type Redis = SingleRedis | Cluster;

import type { AdhClient } from "./client.js";
import type { AdhUser } from "./schemas.js";

export const USER_INDEX_KEY = "adh:users:email";
export const USER_INDEX_REFRESHED_AT_KEY = "adh:users:refreshedAt";
export const USER_INDEX_LOCK_KEY = "adh:users:refreshLock";
const USER_INDEX_NEXT_KEY = "adh:users:email:next";

// Long enough for 50,000 users (50 pages); a crashed refresher frees it by itself.
const LOCK_TTL_MS = 120_000;
const LOCK_POLL_MS = 100;
const LOCK_WAIT_MS = 30_000;
const HSET_BATCH = 1_000;
// Email addresses are personal data: a rebuilt index lives a day, then the next lookup
// rebuilds it from ADH (so a user removed there does not linger here either).
export const USER_INDEX_TTL_SECONDS = 86_400;

const IndexEntry = z.object({ id: z.string(), name: z.string().optional() });
export type DirectoryEntry = z.infer<typeof IndexEntry>;

// Delete the lock only if it is still ours (it may have expired and been retaken).
const RELEASE_LOCK = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** email → entry; Email wins over ContactEmail when two users claim the same address. */
export function buildEmailIndex(users: readonly AdhUser[]): Map<string, DirectoryEntry> {
  const index = new Map<string, DirectoryEntry>();
  const entry = (u: AdhUser): DirectoryEntry =>
    u.Name ? { id: u.Id, name: u.Name } : { id: u.Id };
  for (const u of users) {
    if (u.ContactEmail?.trim()) index.set(normaliseEmail(u.ContactEmail), entry(u));
  }
  for (const u of users) {
    if (u.Email?.trim()) index.set(normaliseEmail(u.Email), entry(u));
  }
  return index;
}

export interface UserDirectoryOptions {
  adh: AdhClient;
  redis: Redis;
  logger: Logger;
  /** A miss rebuilds the index at most this often. Default 60000. */
  minRefreshIntervalMs?: number;
  now?: () => number;
}

export class UserDirectory {
  private readonly adh: AdhClient;
  private readonly redis: Redis;
  private readonly log: Logger;
  private readonly minRefreshIntervalMs: number;
  private readonly now: () => number;
  private refreshing: Promise<void> | undefined;

  constructor(opts: UserDirectoryOptions) {
    this.adh = opts.adh;
    this.redis = opts.redis;
    this.log = opts.logger.child({ component: "adh-users" });
    this.minRefreshIntervalMs = opts.minRefreshIntervalMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Matches Email first, then ContactEmail, case-insensitively. ADH failures throw AdhError. */
  async findUserByEmail(email: string): Promise<{ id: string; name?: string } | null> {
    const key = normaliseEmail(email);
    if (key === "") return null;
    const hit = await this.lookup(key);
    if (hit) return hit;
    // One refresh per process at a time; concurrent misses wait for the same one.
    this.refreshing ??= this.refreshIfDue().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
    return this.lookup(key);
  }

  private async lookup(key: string): Promise<DirectoryEntry | null> {
    const raw = await this.redis.hget(USER_INDEX_KEY, key);
    if (raw === null) return null;
    try {
      const parsed = IndexEntry.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async isFresh(): Promise<boolean> {
    const at = Number(await this.redis.get(USER_INDEX_REFRESHED_AT_KEY));
    return Number.isFinite(at) && at > 0 && this.now() - at < this.minRefreshIntervalMs;
  }

  private async refreshIfDue(): Promise<void> {
    if (await this.isFresh()) return;
    const owner = randomUUID();
    const locked = await this.redis.set(USER_INDEX_LOCK_KEY, owner, "PX", LOCK_TTL_MS, "NX");
    if (locked !== "OK") {
      // Another replica is rebuilding the index: wait for it rather than answer "unknown".
      await this.waitForLockRelease();
      return;
    }
    try {
      // It may have finished a rebuild between our check and our lock.
      if (await this.isFresh()) return;
      await this.rebuild();
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, USER_INDEX_LOCK_KEY, owner).catch((err: unknown) => {
        this.log.warn({ err }, "could not release the user index lock; it expires by itself");
      });
    }
  }

  private async waitForLockRelease(): Promise<void> {
    const until = performance.now() + LOCK_WAIT_MS;
    while (performance.now() < until) {
      if ((await this.redis.exists(USER_INDEX_LOCK_KEY)) === 0) return;
      await sleep(LOCK_POLL_MS);
    }
  }

  private async rebuild(): Promise<void> {
    const started = performance.now();
    const users = await this.adh.listUsers();
    const index = buildEmailIndex(users);
    // Built aside and swapped in with RENAME, so readers never see a half-built index.
    await this.redis.del(USER_INDEX_NEXT_KEY);
    const entries = [...index.entries()];
    for (let i = 0; i < entries.length; i += HSET_BATCH) {
      const fields: Record<string, string> = {};
      for (const [email, entry] of entries.slice(i, i + HSET_BATCH)) {
        fields[email] = JSON.stringify(entry);
      }
      await this.redis.hset(USER_INDEX_NEXT_KEY, fields);
    }
    const swap = this.redis.multi();
    if (entries.length > 0) {
      swap.rename(USER_INDEX_NEXT_KEY, USER_INDEX_KEY);
      swap.expire(USER_INDEX_KEY, USER_INDEX_TTL_SECONDS);
    } else swap.del(USER_INDEX_KEY);
    swap.set(USER_INDEX_REFRESHED_AT_KEY, String(this.now()), "EX", USER_INDEX_TTL_SECONDS);
    const results = await swap.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
    this.log.info(
      { users: users.length, emails: entries.length, ms: Math.round(performance.now() - started) },
      "ADH user index rebuilt",
    );
  }
}
