// The Redis layout of tracked secrets and the Lua scripts that change it atomically.
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
import { createHash } from "node:crypto";
import type { ChainableCommander } from "ioredis";
import type { RedisClient as Redis } from "./redis.js";
import type { SecretRef } from "./tracked-secret-model.js";

export const DUE = "tracked:due";
export const CLIENTS = "tracked:clients";
export const secretKey = (r: SecretRef) => `tracked:secret:${r.clientId}:${r.secretId}`;
export const clientKey = (clientId: string) => `tracked:client:${clientId}`;
export const member = (r: SecretRef) => `${r.clientId}:${r.secretId}`;

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

export function ensureScripts(redis: Redis): void {
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const command = commandName(name);
    if (!(command in redis)) {
      redis.defineCommand(command, { lua: SCRIPTS[name].lua, numberOfKeys: SCRIPTS[name].keys });
    }
  }
}

export function script(target: Redis | ChainableCommander, name: ScriptName): ScriptFn {
  // defineCommand adds the command at run time, so the client's type does not know it.
  const fn: ScriptFn | undefined = Reflect.get(target, commandName(name));
  if (!fn) throw new Error(`Lua command ${name} is not defined on this connection`);
  return fn.bind(target);
}
