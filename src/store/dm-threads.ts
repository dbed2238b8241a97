// Where each request's DM thread with its requester starts: the first DM (the receipt)
// is the thread's root and every later word about that request is a reply under it.
import type { MessageRef } from "../requests/model.js";
import type { RedisClient as Redis } from "./redis.js";

const key = (requestId: string) => `people:dm-thread:${requestId}`;
/** As long as finished requests stay readable. */
const RETENTION_SECONDS = 30 * 24 * 3600;

export class DmThreadStore {
  constructor(private readonly redis: Redis) {}

  /** Keeps the first root only: a redelivered receipt does not start a second thread. */
  async remember(requestId: string, root: MessageRef): Promise<void> {
    await this.redis.set(key(requestId), JSON.stringify(root), "EX", RETENTION_SECONDS, "NX");
  }

  async rootOf(requestId: string): Promise<MessageRef | null> {
    const json = await this.redis.get(key(requestId));
    if (!json) return null;
    const parsed: unknown = JSON.parse(json);
    const ref = parsed as Partial<MessageRef>;
    return typeof ref.channel === "string" && typeof ref.ts === "string"
      ? { channel: ref.channel, ts: ref.ts }
      : null;
  }
}
