// Requests in Redis. Each request is a hash {v: version, json: request}. Every state
// change is one compare-and-set Lua call that also keeps the indexes (per-user open
// requests, pending-expiry timers, in-flight creates) consistent with the new state,
// so two replicas or ten clicks can never both win the same transition.

import { HybridClientRequest, OPEN_STATUSES } from "../requests/model.js";
import { type AuditRecord, auditEventId, prepareAuditEvent } from "./audit-event.js";
import { AUDIT_APPEND_LUA } from "./audit-lua.js";
import { AUDIT_KEY } from "./audit-stream.js";
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
// Audited (CAS_AUDITED_SCRIPT): KEYS 5-7 audit stream, head, ids; ARGV 8-11 the event.
const CAS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
-- The audit event goes first: if its append fails the script stops before the state
-- changes, so a transition is never stored without its event (nor the event without it).
if KEYS[5] then
  hcbAuditAppend(KEYS[5], KEYS[6], KEYS[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11])
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

const CAS_AUDITED_SCRIPT = `${AUDIT_APPEND_LUA}\n${CAS_SCRIPT}`;

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
  /** The audit event of this transition, appended in the same script as the state change. */
  audit?: TransitionAudit;
};

/**
 * A transition's audit event. The store fills the rest: id from request id + new version
 * + type (stable across redelivery), `at` from the request's updatedAt, request and
 * client ids from the request.
 */
export type TransitionAudit = Omit<AuditRecord, "requestId">;

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
    hcbCompareAndSetAudited(...keysAndArgs: string[]): import("ioredis").Result<number, Context>;
  }
}

export class RequestStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand("hcbCompareAndSet", { numberOfKeys: 4, lua: CAS_SCRIPT });
    redis.defineCommand("hcbCompareAndSetAudited", { numberOfKeys: 7, lua: CAS_AUDITED_SCRIPT });
  }

  async get(id: string): Promise<StoredRequest | null> {
    const [v, json] = await this.redis.hmget(KEY.request(id), "v", "json");
    if (!v || !json) return null;
    return { version: Number(v), request: HybridClientRequest.parse(JSON.parse(json)) };
  }

  /** Stores a new request; false if the id is taken. */
  async create(request: HybridClientRequest, audit?: TransitionAudit): Promise<boolean> {
    return (await this.compareAndSet(0, request, audit)) > 0;
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
      const { next, result, audit } = change(stored.request);
      if (!next) return { ok: false, result, request: stored.request };
      const written = await this.compareAndSet(stored.version, next, audit);
      if (written > 0) return { ok: true, request: next, result };
    }
    throw new Error(`request ${id}: too much contention`);
  }

  private async compareAndSet(
    expected: number,
    request: HybridClientRequest,
    audit?: TransitionAudit,
  ): Promise<number> {
    const open = OPEN_STATUSES.includes(request.status) ? "1" : "0";
    if (audit) {
      const event = prepareAuditEvent(
        auditEventId(request.id, expected + 1, audit.type),
        request.updatedAt,
        { ...audit, clientId: audit.clientId ?? request.clientId, requestId: request.id },
      );
      return this.redis.hcbCompareAndSetAudited(
        KEY.request(request.id),
        KEY.userOpen(request.requesterId),
        KEY.expiryTimers,
        KEY.creating,
        AUDIT_KEY.stream,
        AUDIT_KEY.head,
        AUDIT_KEY.ids,
        String(expected),
        JSON.stringify(request),
        request.id,
        request.status,
        open,
        String(request.expiresAt),
        String(TERMINAL_RETENTION_SECONDS),
        event.id,
        String(event.atMs),
        event.before,
        event.after,
      );
    }
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

  /** How many open requests the requester has: the index's size (the CAS keeps it exact). */
  openCountOf(userId: string): Promise<number> {
    return this.redis.scard(KEY.userOpen(userId));
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

  /** Pending requests, soonest to expire first (App Home), and how many there are. */
  async pendingIds(limit: number): Promise<{ ids: string[]; total: number }> {
    const [ids, total] = await Promise.all([
      this.redis.zrange(KEY.expiryTimers, 0, limit - 1),
      this.redis.zcard(KEY.expiryTimers),
    ]);
    return { ids, total };
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
