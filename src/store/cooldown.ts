// A per-user command limit shared by every replica: a fixed window counted in Redis (one
// atomic INCR + PEXPIRE script), so N commands in the window pass and the next are turned
// away politely until it ends.
import type { RedisClient as Redis } from "./redis.js";

// KEYS: the user's window counter. ARGV: window ms. Returns [count, ms left in the window].
const COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

export type CooldownVerdict = { ok: true } | { ok: false; retryAfterMs: number; limit: number };

export class CommandCooldown {
  constructor(
    private readonly redis: Redis,
    private readonly options: { limit: number; windowMs: number },
  ) {}

  get limit(): number {
    return this.options.limit;
  }

  get windowMs(): number {
    return this.options.windowMs;
  }

  /** Counts one command by `userId`; refused once the window holds more than the limit. */
  async take(userId: string): Promise<CooldownVerdict> {
    const { limit, windowMs } = this.options;
    if (limit <= 0) return { ok: true };
    const [count, ttl] = (await this.redis.eval(
      COUNT_SCRIPT,
      1,
      `cooldown:${userId}`,
      String(windowMs),
    )) as [number, number];
    return count <= limit ? { ok: true } : { ok: false, retryAfterMs: Math.max(ttl, 0), limit };
  }
}
