// Per requester, the created requests whose secret was not revealed yet, scored by the
// Reveal button's deadline: what `/hybrid-client status` shows besides open requests
// ("waiting for you to reveal until …", or "expired: request again").
import type { RedisClient as Redis } from "./redis.js";

/** Entries are kept this long past their deadline, so status can say the button expired. */
const KEEP_AFTER_DEADLINE_MS = 7 * 86_400_000;

const key = (userId: string) => `unrevealed:${userId}`;

export class UnrevealedIndex {
  constructor(private readonly redis: Redis) {}

  async add(userId: string, requestId: string, deadline: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(key(userId), deadline, requestId)
      .pexpire(key(userId), KEEP_AFTER_DEADLINE_MS * 5)
      .exec();
  }

  async remove(userId: string, requestId: string): Promise<void> {
    await this.redis.zrem(key(userId), requestId);
  }

  /** Request ids, soonest deadline first; long-expired ones are dropped on the way. */
  async of(userId: string, now: number): Promise<string[]> {
    await this.redis.zremrangebyscore(key(userId), "-inf", now - KEEP_AFTER_DEADLINE_MS);
    return this.redis.zrange(key(userId), 0, 49);
  }
}
