// Tracked client secrets for expiry reminders: one small HASH per secret, a ZSET of
// when each is next due, and a SET per client (plus one of clients) so deletions and
// listings never SCAN the keyspace. Every write that touches the schedule is a Lua
// script, so a claim by one replica and an upsert by the tenant sync never interleave.
//
// Keys (REDIS_KEY_PREFIX is applied by the connection):
//   tracked:secret:{clientId}:{secretId}  HASH  n name, d description, e expiration (epoch s,
//                                               "" = never), ch channel, s source (b|t),
//                                               l last threshold reminded, f finding reported,
//                                               p pending claim "kind|leaseUntil|token",
//                                               a first tracked at (Redis TIME, µs)
//   tracked:due                           ZSET  "{clientId}:{secretId}" → epoch s when next due
//   tracked:client:{clientId}             SET   secret ids of that client
//   tracked:clients                       SET   client ids with at least one tracked secret
//
// Never a secret value: ADH returns it only on create, and nothing here receives it.
import { createHash, randomBytes } from "node:crypto";
import type { ChainableCommander } from "ioredis";
import type { TrackedSource } from "../reminders/ports.js";
import { truncate } from "../text.js";
import type { RedisClient as Redis } from "./redis.js";

export interface SecretRef {
  clientId: string;
  secretId: number;
}

/** What the bot knows about one secret; never its value. */
export interface TrackInput extends SecretRef {
  clientName: string;
  description: string;
  /** Epoch seconds; null: never expires. */
  expiration: number | null;
  channel: string;
  source: TrackedSource;
}

export interface TrackedSecret extends TrackInput {
  /** The smallest threshold already reminded (skipped ones included); undefined: none yet. */
  lastThreshold: number | undefined;
  neverExpiresReported: boolean;
  /** A claim being posted right now (or abandoned by a crash until leaseUntil). */
  pending: { kind: ClaimKind; leaseUntil: number } | undefined;
  /** When first tracked: Redis server time in microseconds (one clock for every replica). */
  addedAt: number;
}

/** A reminder threshold in days, or the one-off never-expires finding. */
export type ClaimKind = number | "finding";

/** The right to post one (secret, kind); commit after posting, release if posting failed. */
export interface Claim extends SecretRef {
  kind: ClaimKind;
  expiration: number | null;
  token: string;
  leaseUntil: number;
}

export type ClaimOutcome =
  | { ok: true; claim: Claim }
  /** gone: untracked; stale: expiry changed since read; done: already reminded; busy: another holder's lease runs. */
  | { ok: false; reason: "gone" | "stale" | "done" | "busy" };

const DUE = "tracked:due";
const CLIENTS = "tracked:clients";
const secretKey = (r: SecretRef) => `tracked:secret:${r.clientId}:${r.secretId}`;
const clientKey = (clientId: string) => `tracked:client:${clientId}`;
const member = (r: SecretRef) => `${r.clientId}:${r.secretId}`;

// Longer text is cut before storing: reminders show less than this anyway, and it keeps
// every field small enough for Redis' compact listpack encoding of the hash.
const MAX_STORED_TEXT = 200;

/** Reads "{clientId}:{secretId}"; the secret id is an integer, so the last colon splits. */
export function parseMember(value: string): SecretRef | undefined {
  const at = value.lastIndexOf(":");
  const secretId = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(secretId)) return undefined;
  return { clientId: value.slice(0, at), secretId };
}

// ---------------------------------------------------------------------------------------
// Lua. `schedule` puts the secret in tracked:due at the epoch second its next not-yet-
// reminded threshold is reached (or 0 for an unreported never-expiring secret, i.e. due
// now) and removes it when nothing is left. It mirrors nextDueAt() in
// src/reminders/thresholds.ts; the tests hold the two together.

const SCHEDULE = `
local function schedule(h, due, m, thresholds)
  local e = redis.call('HGET', h, 'e')
  if e == false then redis.call('ZREM', due, m) return end
  if e == '' then
    if redis.call('HEXISTS', h, 'f') == 1 then redis.call('ZREM', due, m)
    else redis.call('ZADD', due, 0, m) end
    return
  end
  local l = redis.call('HGET', h, 'l')
  local last = nil
  if l then last = tonumber(l) end
  local best = nil
  for t in string.gmatch(thresholds, '%d+') do
    local n = tonumber(t)
    if (last == nil or n < last) and (best == nil or n > best) then best = n end
  end
  if best == nil then redis.call('ZREM', due, m)
  else redis.call('ZADD', due, tonumber(e) - best * 86400, m) end
end
local function pending(h)
  local p = redis.call('HGET', h, 'p')
  if not p then return nil end
  local kind, lease, token = string.match(p, '^([^|]+)|(%d+)|(.+)$')
  return { kind = kind, lease = tonumber(lease), token = token }
end
`;

// KEYS: hash, due, client set, clients set.
// ARGV: member, secretId, clientId, name, description, expiration, channel, source, thresholds
const TRACK = `${SCHEDULE}
local h, due = KEYS[1], KEYS[2]
local changed = false
if redis.call('EXISTS', h) == 1 then
  -- A bot-minted secret keeps the channel its team chose when the tenant sync finds it too.
  if not (redis.call('HGET', h, 's') == 'b' and ARGV[8] == 't') then
    redis.call('HSET', h, 's', ARGV[8], 'ch', ARGV[7])
  end
  redis.call('HSET', h, 'n', ARGV[4], 'd', ARGV[5])
  if redis.call('HGET', h, 'e') ~= ARGV[6] then
    -- A new expiry is a new schedule: reminders start over, an old claim is void.
    redis.call('HSET', h, 'e', ARGV[6])
    redis.call('HDEL', h, 'l', 'p', 'f')
    changed = true
  end
else
  -- Redis' clock, not the caller's: replicas' clocks differ, and the sync compares against it.
  local t = redis.call('TIME')
  local a = string.format('%d%06d', tonumber(t[1]), tonumber(t[2]))
  redis.call('HSET', h, 'n', ARGV[4], 'd', ARGV[5], 'e', ARGV[6], 'ch', ARGV[7], 's', ARGV[8], 'a', a)
  redis.call('SADD', KEYS[3], ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[3])
  changed = true
end
if changed then schedule(h, due, ARGV[1], ARGV[9]) return 1 end
return 0
`;

// KEYS: hash, due, client set, clients set. ARGV: member, secretId, clientId, trackedBefore (µs, "" = any)
const UNTRACK = `
local h = KEYS[1]
if ARGV[4] ~= '' then
  -- Tracked after the sync started (minted meanwhile): the sync could not have seen it.
  local a = redis.call('HGET', h, 'a')
  if a and tonumber(a) >= tonumber(ARGV[4]) then return 0 end
end
local existed = redis.call('DEL', h)
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('SCARD', KEYS[3]) == 0 then redis.call('SREM', KEYS[4], ARGV[3]) end
return existed
`;

// KEYS: hash, due. ARGV: member, kind ("n" or threshold), expected expiration, leaseUntil, now, token
const CLAIM = `${SCHEDULE}
local h, due = KEYS[1], KEYS[2]
local e = redis.call('HGET', h, 'e')
if e == false then redis.call('ZREM', due, ARGV[1]) return 'gone' end
if e ~= ARGV[3] then return 'stale' end
if ARGV[2] == 'n' then
  if redis.call('HEXISTS', h, 'f') == 1 then return 'done' end
else
  local l = redis.call('HGET', h, 'l')
  if l and tonumber(l) <= tonumber(ARGV[2]) then return 'done' end
end
local p = pending(h)
if p and p.lease > tonumber(ARGV[5]) then return 'busy' end
redis.call('HSET', h, 'p', ARGV[2] .. '|' .. ARGV[4] .. '|' .. ARGV[6])
-- Out of the due range until the lease ends: a crash mid-post is retried after it.
redis.call('ZADD', due, tonumber(ARGV[4]), ARGV[1])
return 'ok'
`;

// KEYS: hash, due. ARGV: member, kind, expected expiration, token, thresholds
const COMMIT = `${SCHEDULE}
local h, due = KEYS[1], KEYS[2]
local e = redis.call('HGET', h, 'e')
if e == false or e ~= ARGV[3] then return 0 end
if ARGV[2] == 'n' then
  redis.call('HSET', h, 'f', '1')
else
  -- Thresholds only go down: a late commit of a larger one never undoes a smaller one.
  local l = redis.call('HGET', h, 'l')
  if not l or tonumber(l) > tonumber(ARGV[2]) then redis.call('HSET', h, 'l', ARGV[2]) end
end
local p = pending(h)
if p and p.token ~= ARGV[4] then return 1 end
redis.call('HDEL', h, 'p')
schedule(h, due, ARGV[1], ARGV[5])
return 1
`;

// KEYS: hash, due. ARGV: member, token, thresholds
const RELEASE = `${SCHEDULE}
local h, due = KEYS[1], KEYS[2]
local p = pending(h)
if not p or p.token ~= ARGV[2] then return 0 end
redis.call('HDEL', h, 'p')
schedule(h, due, ARGV[1], ARGV[3])
return 1
`;

// KEYS: hash, due. ARGV: member, thresholds — puts a drifted due score right.
const RESCHEDULE = `${SCHEDULE}
local p = pending(KEYS[1])
if p then return 0 end
schedule(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
return 1
`;

const SCRIPTS = {
  track: { lua: TRACK, keys: 4 },
  untrack: { lua: UNTRACK, keys: 4 },
  claim: { lua: CLAIM, keys: 2 },
  commit: { lua: COMMIT, keys: 2 },
  release: { lua: RELEASE, keys: 2 },
  reschedule: { lua: RESCHEDULE, keys: 2 },
} as const;
type ScriptName = keyof typeof SCRIPTS;
type ScriptFn = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

// Commands are named after their source, so two versions of this file sharing one
// connection (tests, rolling deploys in one process) never run each other's script.
const commandName = (name: ScriptName) =>
  `hcbTracked_${name}_${createHash("sha1").update(SCRIPTS[name].lua).digest("hex").slice(0, 8)}`;

function ensureScripts(redis: Redis): void {
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const command = commandName(name);
    if (!(command in redis)) {
      redis.defineCommand(command, { lua: SCRIPTS[name].lua, numberOfKeys: SCRIPTS[name].keys });
    }
  }
}

function script(target: Redis | ChainableCommander, name: ScriptName): ScriptFn {
  const fn = (target as unknown as Record<string, ScriptFn>)[commandName(name)];
  if (!fn) throw new Error(`Lua command ${name} is not defined on this connection`);
  return fn.bind(target);
}

const encodeExpiration = (e: number | null) => (e === null ? "" : String(Math.floor(e)));
const encodeKind = (k: ClaimKind) => (k === "finding" ? "n" : String(k));
const decodeKind = (k: string): ClaimKind => (k === "n" ? "finding" : Number(k));

function decode(ref: SecretRef, h: Record<string, string>): TrackedSecret | null {
  if (h.e === undefined) return null;
  const [kind, lease] = (h.p ?? "").split("|");
  return {
    clientId: ref.clientId,
    secretId: ref.secretId,
    clientName: h.n ?? "",
    description: h.d ?? "",
    expiration: h.e === "" ? null : Number(h.e),
    channel: h.ch ?? "",
    source: h.s === "b" ? "bot" : "tenant",
    lastThreshold: h.l === undefined ? undefined : Number(h.l),
    neverExpiresReported: h.f === "1",
    pending:
      h.p && kind !== undefined && lease !== undefined
        ? { kind: decodeKind(kind), leaseUntil: Number(lease) }
        : undefined,
    addedAt: Number(h.a ?? 0),
  };
}

/** Pipelines are cut to this many commands so one reply never gets huge. */
const BATCH = 500;

async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
  return results.map(([, value]) => value);
}

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class TrackedSecretStore {
  private readonly thresholds: string;

  /** `thresholds`: REMINDER_DAYS, the whole days before expiry to remind at. */
  constructor(
    private readonly redis: Redis,
    thresholds: readonly number[],
  ) {
    this.thresholds = thresholds.join(",");
    ensureScripts(redis);
  }

  /** Starts or refreshes tracking of one secret. See trackMany. */
  async trackSecret(input: TrackInput): Promise<void> {
    await this.trackMany([input]);
  }

  /**
   * Upserts secrets, pipelined in batches. Name and description follow ADH; a changed
   * expiration restarts the reminders; a bot-minted secret keeps source "bot" and its
   * channel when the tenant sync reports it too.
   */
  async trackMany(inputs: readonly TrackInput[]): Promise<void> {
    for (const batch of chunks(inputs)) {
      const pipeline = this.redis.pipeline();
      const track = script(pipeline, "track");
      for (const s of batch) {
        void track(
          secretKey(s),
          DUE,
          clientKey(s.clientId),
          CLIENTS,
          member(s),
          s.secretId,
          s.clientId,
          truncate(s.clientName, MAX_STORED_TEXT),
          truncate(s.description, MAX_STORED_TEXT),
          encodeExpiration(s.expiration),
          s.channel,
          s.source === "bot" ? "b" : "t",
          this.thresholds,
        );
      }
      await execOrThrow(pipeline);
    }
  }

  /** Redis' own clock in microseconds: what `addedAt` and `trackedBefore` are measured in. */
  async serverTime(): Promise<number> {
    const [sec, usec] = await this.redis.time();
    return Number(sec) * 1_000_000 + Number(usec);
  }

  /**
   * Stops tracking secrets. With `trackedBefore` (serverTime()) a secret first tracked at
   * or after it is kept: the tenant sync passes its start so a secret minted while it
   * ran is not mistaken for a deleted one. Returns how many were removed.
   */
  async untrackMany(refs: readonly SecretRef[], trackedBefore?: number): Promise<number> {
    let removed = 0;
    for (const batch of chunks(refs)) {
      const pipeline = this.redis.pipeline();
      const untrack = script(pipeline, "untrack");
      for (const r of batch) {
        void untrack(
          secretKey(r),
          DUE,
          clientKey(r.clientId),
          CLIENTS,
          member(r),
          r.secretId,
          r.clientId,
          trackedBefore === undefined ? "" : trackedBefore,
        );
      }
      for (const n of await execOrThrow(pipeline)) removed += Number(n);
    }
    return removed;
  }

  async untrackSecret(ref: SecretRef, trackedBefore?: number): Promise<boolean> {
    return (await this.untrackMany([ref], trackedBefore)) === 1;
  }

  /** Stops tracking every secret of a client. Returns how many were removed. */
  async untrackClient(clientId: string, trackedBefore?: number): Promise<number> {
    const ids = await this.redis.smembers(clientKey(clientId));
    return this.untrackMany(
      ids.map((id) => ({ clientId, secretId: Number(id) })),
      trackedBefore,
    );
  }

  async get(ref: SecretRef): Promise<TrackedSecret | null> {
    const [found] = await this.getMany([ref]);
    return found ?? null;
  }

  /** The tracked secrets among `refs`, in order; null where one is not tracked. */
  async getMany(refs: readonly SecretRef[]): Promise<(TrackedSecret | null)[]> {
    const out: (TrackedSecret | null)[] = [];
    for (const batch of chunks(refs)) {
      const pipeline = this.redis.pipeline();
      for (const r of batch) pipeline.hgetall(secretKey(r));
      const hashes = (await execOrThrow(pipeline)) as Record<string, string>[];
      batch.forEach((r, i) => {
        out.push(decode(r, hashes[i] ?? {}));
      });
    }
    return out;
  }

  /** Client ids with at least one tracked secret (SSCAN: never blocks Redis for long). */
  /** How many secrets are tracked (for the metrics gauge): one SCARD per client, pipelined. */
  async count(): Promise<number> {
    const clientIds = await this.trackedClientIds();
    const pipeline = this.redis.pipeline();
    for (const id of clientIds) pipeline.scard(`tracked:client:${id}`);
    const replies = (await pipeline.exec()) ?? [];
    return replies.reduce((sum, [, n]) => sum + (typeof n === "number" ? n : 0), 0);
  }

  async trackedClientIds(): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = "0";
    do {
      const [next, page] = await this.redis.sscan(CLIENTS, cursor, "COUNT", 1000);
      for (const id of page) ids.add(id);
      cursor = next;
    } while (cursor !== "0");
    return [...ids];
  }

  /** The tracked secret ids of each of `clientIds`. */
  async trackedSecretIds(clientIds: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const batch of chunks(clientIds)) {
      const pipeline = this.redis.pipeline();
      for (const id of batch) pipeline.smembers(clientKey(id));
      const sets = (await execOrThrow(pipeline)) as string[][];
      batch.forEach((id, i) => {
        out.set(id, (sets[i] ?? []).map(Number));
      });
    }
    return out;
  }

  /** Every tracked secret (for listings and the sync's deletion pass). */
  async listTracked(): Promise<TrackedSecret[]> {
    const byClient = await this.trackedSecretIds(await this.trackedClientIds());
    const refs = [...byClient].flatMap(([clientId, ids]) =>
      ids.map((secretId) => ({ clientId, secretId })),
    );
    return (await this.getMany(refs)).filter((s): s is TrackedSecret => s !== null);
  }

  /**
   * Secrets whose next reminder (or never-expires finding) is due at or before `nowSec`,
   * soonest first: a range read of the tracked:due index, never a scan.
   */
  async dueBefore(nowSec: number, limit: number, offset = 0): Promise<SecretRef[]> {
    const members = await this.redis.zrangebyscore(
      DUE,
      "-inf",
      Math.floor(nowSec),
      "LIMIT",
      offset,
      limit,
    );
    return members.map(parseMember).filter((r): r is SecretRef => r !== undefined);
  }

  /** Epoch second the secret is next due, or null when nothing is scheduled. */
  async dueAt(ref: SecretRef): Promise<number | null> {
    const score = await this.redis.zscore(DUE, member(ref));
    return score === null ? null : Number(score);
  }

  /**
   * Claims (secret, kind) for posting, atomically across replicas: it must still be
   * tracked with the expiration the caller read, not yet reminded at this threshold
   * (or any smaller one), and not held by another live lease. The winner owns it until
   * `leaseUntil` (epoch s); a crashed holder's lease runs out and the claim is retried.
   */
  async claim(
    ref: SecretRef,
    kind: ClaimKind,
    expiration: number | null,
    nowSec: number,
    leaseSeconds: number,
  ): Promise<ClaimOutcome> {
    const token = randomBytes(6).toString("base64url");
    const leaseUntil = Math.floor(nowSec) + leaseSeconds;
    const result = await script(this.redis, "claim")(
      secretKey(ref),
      DUE,
      member(ref),
      encodeKind(kind),
      encodeExpiration(expiration),
      leaseUntil,
      Math.floor(nowSec),
      token,
    );
    if (result === "ok")
      return { ok: true, claim: { ...ref, kind, expiration, token, leaseUntil } };
    return { ok: false, reason: result as "gone" | "stale" | "done" | "busy" };
  }

  /**
   * Records a posted claim: the threshold (and every larger one) is done, or the
   * finding is reported; the secret moves to its next threshold or leaves the index.
   */
  async commit(claim: Claim): Promise<void> {
    await script(this.redis, "commit")(
      secretKey(claim),
      DUE,
      member(claim),
      encodeKind(claim.kind),
      encodeExpiration(claim.expiration),
      claim.token,
      this.thresholds,
    );
  }

  /** Gives a claim back after a failed post, so the next scan tries again. */
  async release(claim: Claim): Promise<boolean> {
    const released = await script(this.redis, "release")(
      secretKey(claim),
      DUE,
      member(claim),
      claim.token,
      this.thresholds,
    );
    return released === 1;
  }

  /** Recomputes a secret's due score from its hash (when the index and hash disagree). */
  async reschedule(ref: SecretRef): Promise<void> {
    await script(this.redis, "reschedule")(secretKey(ref), DUE, member(ref), this.thresholds);
  }
}
