// Requests in Redis. Each request is a hash {v: version, json: request}. Every state
// change is one compare-and-set Lua call that also keeps the indexes (per-user open
// requests, pending-expiry timers, in-flight creates) consistent with the new state,
// so two replicas or ten clicks can never both win the same transition.

import { HybridClientRequest, OPEN_STATUSES } from "../requests/model.js";
import type { RedisClient as Redis } from "./redis.js";

const KEY = {
  request: (id: string) => `req:${id}`,
  userOpen: (userId: string) => `req:user:${userId}`,
  expiryTimers: "req:timers:expiry",
  creating: "req:creating",
  draft: (key: string) => `draft:${key}`,
};

/** Finished requests stay readable (late clicks, audit) for this long. */
const TERMINAL_RETENTION_SECONDS = 30 * 24 * 3600;

// KEYS: request, user-open set, expiry zset, creating set
// ARGV: expected version ("0" = must not exist), json, id, status, open(1/0), expiresAt ms, retention s
const CAS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
local nextVersion = tonumber(ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'v', nextVersion, 'json', ARGV[2])
if ARGV[5] == '1' then
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('PERSIST', KEYS[1])
else
  redis.call('SREM', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[7]))
end
if ARGV[4] == 'pending' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[3])
else
  redis.call('ZREM', KEYS[3], ARGV[3])
end
if ARGV[4] == 'creating' then
  redis.call('SADD', KEYS[4], ARGV[3])
else
  redis.call('SREM', KEYS[4], ARGV[3])
end
return nextVersion
`;

export interface StoredRequest {
  version: number;
  request: HybridClientRequest;
}

export type UpdateOutcome<R> =
  | { ok: true; request: HybridClientRequest; result: R }
  | { ok: false; result: R; request: HybridClientRequest | null };

/**
 * A change computed from the current request: return the next request to store it,
 * or `null` to leave it unchanged. `result` carries what the caller needs to know.
 */
export type Change<R> = (current: HybridClientRequest) => {
  next: HybridClientRequest | null;
  result: R;
};

declare module "ioredis" {
  interface RedisCommander<Context> {
    hcbCompareAndSet(
      request: string,
      userOpen: string,
      expiry: string,
      creating: string,
      expected: string,
      json: string,
      id: string,
      status: string,
      open: string,
      expiresAt: string,
      retention: string,
    ): import("ioredis").Result<number, Context>;
  }
}

export class RequestStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand("hcbCompareAndSet", { numberOfKeys: 4, lua: CAS_SCRIPT });
  }

  async get(id: string): Promise<StoredRequest | null> {
    const [v, json] = await this.redis.hmget(KEY.request(id), "v", "json");
    if (!v || !json) return null;
    return { version: Number(v), request: HybridClientRequest.parse(JSON.parse(json)) };
  }

  /** Stores a new request; false if the id is taken. */
  async create(request: HybridClientRequest): Promise<boolean> {
    return (await this.compareAndSet(0, request)) > 0;
  }

  /**
   * Applies `change` atomically: read, compute, compare-and-set on the version, and
   * re-run on a lost race so the change always sees the latest state.
   */
  async update<R>(id: string, change: Change<R>): Promise<UpdateOutcome<R>> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const stored = await this.get(id);
      if (!stored) {
        throw new RequestNotFoundError(id);
      }
      const { next, result } = change(stored.request);
      if (!next) return { ok: false, result, request: stored.request };
      const written = await this.compareAndSet(stored.version, next);
      if (written > 0) return { ok: true, request: next, result };
    }
    throw new Error(`request ${id}: too much contention`);
  }

  private async compareAndSet(expected: number, request: HybridClientRequest): Promise<number> {
    const open = OPEN_STATUSES.includes(request.status) ? "1" : "0";
    return this.redis.hcbCompareAndSet(
      KEY.request(request.id),
      KEY.userOpen(request.requesterId),
      KEY.expiryTimers,
      KEY.creating,
      String(expected),
      JSON.stringify(request),
      request.id,
      request.status,
      open,
      String(request.expiresAt),
      String(TERMINAL_RETENTION_SECONDS),
    );
  }

  /** The requester's open requests, newest first. */
  async openRequestsOf(userId: string): Promise<HybridClientRequest[]> {
    const ids = await this.redis.smembers(KEY.userOpen(userId));
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found
      .filter((s): s is StoredRequest => s !== null)
      .map((s) => s.request)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Pending requests whose expiry time has come (an index lookup, not a scan). */
  async expiredPendingIds(now: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(KEY.expiryTimers, 0, now, "LIMIT", 0, limit);
  }

  /** Requests left in `creating` (e.g. by a crash) — reconciled on start. */
  async creatingIds(): Promise<string[]> {
    return this.redis.smembers(KEY.creating);
  }

  /** The pane-1 form between "Next" and "Submit for approval" (no secrets in it). */
  async saveDraft(key: string, draft: unknown, ttlSeconds = 3600): Promise<void> {
    await this.redis.set(KEY.draft(key), JSON.stringify(draft), "EX", ttlSeconds);
  }

  async loadDraft(key: string): Promise<unknown | null> {
    const json = await this.redis.get(KEY.draft(key));
    return json ? JSON.parse(json) : null;
  }

  async deleteDraft(key: string): Promise<void> {
    await this.redis.del(KEY.draft(key));
  }
}

export class RequestNotFoundError extends Error {
  constructor(readonly requestId: string) {
    super(`request ${requestId} not found`);
    this.name = "RequestNotFoundError";
  }
}
