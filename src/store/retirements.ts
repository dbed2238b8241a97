// Delete old secret (issue 11 item 5): the short claim that lets one press delete the
// retired secret, and the due times of the once-only reminders. Ids and times only.
import type { RedisClient as Redis } from "./redis.js";

const CLAIM = "retire:claim:";
const DUE = "retire:due";

export class RetirementStore {
  constructor(private readonly redis: Redis) {}

  /**
   * One press at a time across replicas (SET NX). A lease, not a flag: a replica that dies
   * mid-delete leaves it to expire and the requester may press again (the delete is
   * idempotent); the request's `retiredAt` is what makes a finished deletion final.
   */
  async claim(requestId: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(`${CLAIM}${requestId}`, "1", "PX", leaseMs, "NX")) === "OK";
  }

  async release(requestId: string): Promise<void> {
    await this.redis.del(`${CLAIM}${requestId}`);
  }

  /** The reminder for an unused Delete old secret is due at `dueAt` (epoch ms). */
  async scheduleReminder(requestId: string, dueAt: number): Promise<void> {
    await this.redis.zadd(DUE, dueAt, requestId);
  }

  async cancelReminder(requestId: string): Promise<void> {
    await this.redis.zrem(DUE, requestId);
  }

  /**
   * The reminders due by `now` that this caller won: ZREM answers 1 to exactly one
   * replica per member, so each reminder is taken (and sent) once.
   */
  async takeDue(now: number, limit = 50): Promise<string[]> {
    const due = await this.redis.zrangebyscore(DUE, "-inf", now, "LIMIT", 0, limit);
    const mine: string[] = [];
    for (const id of due) {
      if ((await this.redis.zrem(DUE, id)) === 1) mine.push(id);
    }
    return mine;
  }
}
