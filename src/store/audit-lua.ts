// The audit append in Lua, so it runs inside the same script as the state change it
// records. Redis 7's Lua has no SHA-256 (only redis.sha1hex), and computing the hash in
// Node would need the chain's head read first and re-checked in the script — every audited
// transition in the tenant would then race on one key and retry. So the hash is computed
// here, in Lua, with the `bit` library Redis ships: one script, no extra round trip, and
// the chain is SHA-256 like every verifier expects.

/** `hcbSha256(s)`: lower-case hex SHA-256 of a byte string (FIPS 180-4). */
const SHA256_LUA = `
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local SHA_K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
local function hcbSha256(msg)
  local len = #msg
  local bits = len * 8
  msg = msg .. '\\128' .. string.rep('\\0', (55 - len) % 64) .. '\\0\\0\\0\\0'
    .. string.char(band(rshift(bits, 24), 255), band(rshift(bits, 16), 255),
      band(rshift(bits, 8), 255), band(bits, 255))
  local H = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local b1, b2, b3, b4 = string.byte(msg, chunk + i * 4, chunk + i * 4 + 3)
      w[i + 1] = bor(lshift(b1, 24), lshift(b2, 16), lshift(b3, 8), b4)
    end
    for i = 17, 64 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
      local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
      w[i] = tobit(w[i - 16] + s0 + w[i - 7] + s1)
    end
    local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
    for i = 1, 64 do
      local t1 = h + bxor(ror(e, 6), ror(e, 11), ror(e, 25))
        + bxor(band(e, f), band(bnot(e), g)) + SHA_K[i] + w[i]
      local t2 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
        + bxor(band(a, b), band(a, c), band(b, c))
      h = g; g = f; f = e; e = tobit(d + t1)
      d = c; c = b; b = a; a = tobit(t1 + t2)
    end
    H[1] = tobit(H[1] + a); H[2] = tobit(H[2] + b); H[3] = tobit(H[3] + c); H[4] = tobit(H[4] + d)
    H[5] = tobit(H[5] + e); H[6] = tobit(H[6] + f); H[7] = tobit(H[7] + g); H[8] = tobit(H[8] + h)
  end
  local out = {}
  for i = 1, 8 do out[i] = tohex(H[i], 8) end
  return table.concat(out)
end
`;

/**
 * `hcbAuditAppend(stream, head, ids, eventId, atMs, before, after)` → stream id, or false
 * when an event with this id was already appended (a redelivery).
 *
 * The event's canonical JSON arrives split around its `prev` field (`before` ends with
 * `{…,` and `after` starts with `,…}` or is `}`); the script splices in the chain's head,
 * hashes the result and moves the head. Stream ids take the event's own time (never going
 * back), so export by time is a range read. Every write comes after every check, so a
 * refusal leaves nothing behind.
 */
export const AUDIT_APPEND_LUA = `${SHA256_LUA}
local function hcbAuditAppend(stream, head, ids, eventId, atMs, before, after)
  if redis.call('ZSCORE', ids, eventId) then return false end
  local state = redis.call('HMGET', head, 'hash', 'ms', 'n')
  local prev = state[1] or ''
  local ms = tonumber(atMs)
  local lastMs = tonumber(state[2] or '0')
  if ms < lastMs then ms = lastMs end
  local body = before .. '"prev":"' .. prev .. '"' .. after
  local hash = hcbSha256(body)
  local streamId = redis.call('XADD', stream, string.format('%d-*', ms), 'e', body, 'h', hash)
  redis.call('HSET', head, 'hash', hash, 'ms', string.format('%d', ms),
    'n', (tonumber(state[3] or '0') + 1))
  redis.call('ZADD', ids, ms, eventId)
  return streamId
end
`;

// KEYS: stream, head, ids. ARGV: eventId, atMs, before, after
export const AUDIT_STANDALONE_SCRIPT = `${AUDIT_APPEND_LUA}
return hcbAuditAppend(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
`;

// KEYS: stream, head, ids. ARGV: minimum stream time (ms) to keep.
// The hash of the last event trimmed becomes the head's `anchor`: verify then checks the
// first kept event against it, so dropping events from the front is seen too.
export const AUDIT_TRIM_SCRIPT = `
local minId = ARGV[1] .. '-0'
local last = redis.call('XREVRANGE', KEYS[1], '(' .. minId, '-', 'COUNT', 1)
if #last == 0 then return 0 end
local fields = last[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'h' then redis.call('HSET', KEYS[2], 'anchor', fields[i + 1]) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1])
return redis.call('XTRIM', KEYS[1], 'MINID', minId)
`;

// The test-only SHA-256 probe: lets a test compare the Lua hash with node:crypto.
export const SHA256_PROBE_SCRIPT = `${SHA256_LUA}
return hcbSha256(ARGV[1])
`;
