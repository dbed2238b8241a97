// A cluster-wide "only one of us runs this now" lock: SET NX PX with a random token,
// renewed while the holder works, and released only by its holder (compare-and-delete),
// so a holder that overran its lease can never delete a lock someone else took since.
import { randomBytes } from "node:crypto";
import type { RedisClient as Redis } from "../store/redis.js";

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface HeldLock {
  /** False once a renewal found the lock gone or taken (Redis lost it, or we overran). */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * Takes `key` for `ttlMs` and keeps renewing it every ttl/3 until released. Null when
 * another holder has it. The timer is unref'd: a held lock never keeps the process alive.
 */
export async function acquireLock(
  redis: Redis,
  key: string,
  ttlMs: number,
  onLost?: () => void,
): Promise<HeldLock | null> {
  const token = randomBytes(12).toString("base64url");
  const taken = await redis.set(key, token, "PX", ttlMs, "NX");
  if (taken !== "OK") return null;

  let held = true;
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, ttlMs).then(
        (renewed) => {
          if (renewed === 0 && held) {
            held = false;
            clearInterval(timer);
            onLost?.();
          }
        },
        // A failed renewal is retried on the next tick; the TTL covers two more tries.
        () => {},
      );
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );
  timer.unref();

  return {
    get held() {
      return held;
    },
    async release() {
      clearInterval(timer);
      held = false;
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
