// Who has opened the bot's Home tab (only they get views.publish calls), and each
// requester's last finished requests (the Home's "last 10 finished").
import type { RedisClient as Redis } from "./redis.js";

const OPENERS = "home:openers";
const finishedKey = (userId: string) => `home:finished:${userId}`;
export const FINISHED_SHOWN = 10;
const FINISHED_RETENTION_SECONDS = 30 * 24 * 3600;

export class HomePeopleStore {
  constructor(private readonly redis: Redis) {}

  async opened(userId: string): Promise<void> {
    await this.redis.sadd(OPENERS, userId);
  }

  async hasOpened(userId: string): Promise<boolean> {
    return (await this.redis.sismember(OPENERS, userId)) === 1;
  }

  openers(): Promise<string[]> {
    return this.redis.smembers(OPENERS);
  }

  /** Newest first, at most FINISHED_SHOWN; a request finishing twice is listed once. */
  async recordFinished(userId: string, requestId: string): Promise<void> {
    const key = finishedKey(userId);
    await this.redis
      .multi()
      .lrem(key, 0, requestId)
      .lpush(key, requestId)
      .ltrim(key, 0, FINISHED_SHOWN - 1)
      .expire(key, FINISHED_RETENTION_SECONDS)
      .exec();
  }

  finishedOf(userId: string): Promise<string[]> {
    return this.redis.lrange(finishedKey(userId), 0, FINISHED_SHOWN - 1);
  }
}
