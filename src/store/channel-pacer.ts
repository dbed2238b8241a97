// Paces posts to one Slack channel across every replica: Slack allows about one message
// per second per channel and answers 429 past that. One Lua script reserves the channel's
// next free slot (next-slot reservation, on Redis' clock so replicas' clocks do not
// matter); the caller sleeps until its slot and posts. A 429 pushes the channel's next
// slot past its Retry-After for every replica, and the post is tried again in a new slot.
// Chosen over BullMQ's limiter: that limits a whole queue, not each channel, and would add
// a queue (and a second delivery record) beside the reminders' own once-only claims.
import type { DueReminder, NeverExpiresFinding, ReminderNotifier } from "../reminders/ports.js";
import type { RedisClient } from "./redis.js";

// KEYS: the channel's slot key, its hold-off key. ARGV: interval ms, longest wait ms.
// Returns the ms to wait for the reserved slot, or -1 when the queue is longer than allowed.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
local held = redis.call('PTTL', KEYS[2])
if held > 0 and slot < now + held then slot = now + held end
local wait = slot - now
if wait > tonumber(ARGV[2]) then return -1 end
local nextSlot = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], nextSlot, 'PX', nextSlot - now + 1000)
return wait
`;

// KEYS: the channel's slot key, its hold-off key. ARGV: ms from now before the channel may
// be posted to again. The hold-off key also stops slots reserved before the 429 (see waitTurn).
const HOLD_OFF = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < until_ then redis.call('SET', KEYS[1], until_, 'PX', until_ - now + 1000) end
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end
return 1
`;

export interface ChannelPacerOptions {
  /** Gap between two posts to one channel; Slack's limit is one per second. */
  intervalMs?: number;
  /** A post that would wait longer is refused (the caller retries later) instead of queued. */
  maxWaitMs?: number;
  /** 429s retried per post before giving up (the caller's own retry then applies). */
  maxRateLimitRetries?: number;
}

/** Slack is busy for this channel; the post was not made (retry later). */
export class ChannelBusy extends Error {
  constructor(channel: string) {
    super(`channel ${channel} has too many posts queued; try again later`);
    this.name = "ChannelBusy";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Retry-After (ms) of a Web API 429, or undefined for any other failure. */
export function rateLimitDelayMs(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number } | null;
  if (e?.code === "slack_webapi_rate_limited_error") return (e.retryAfter ?? 1) * 1000;
  return undefined;
}

export class ChannelPacer {
  private readonly intervalMs: number;
  private readonly maxWaitMs: number;
  private readonly maxRetries: number;

  constructor(
    private readonly redis: RedisClient,
    o: ChannelPacerOptions = {},
  ) {
    // 1 s plus a margin for the jitter between a slot's start and Slack receiving the post
    // (a busy host was seen delaying a post by 140 ms more than the one after it).
    this.intervalMs = o.intervalMs ?? 1_250;
    this.maxWaitMs = o.maxWaitMs ?? 60_000;
    this.maxRetries = o.maxRateLimitRetries ?? 3;
  }

  /** Waits for this channel's next slot (shared by all replicas). Throws ChannelBusy if too far off. */
  async waitTurn(channel: string): Promise<void> {
    // The interval's margin over Slack's 1 s absorbs a late wake-up and the post's own
    // delivery; a replica that wakes later than half the margin (a busy event loop) could
    // post right before the next slot's owner, so it takes a new slot instead (bounded, so
    // a starved process still posts).
    const margin = Math.max(0, this.intervalMs - 1_000) / 2;
    for (let attempt = 0; ; attempt++) {
      const asked = performance.now();
      const wait = Number(
        await this.redis.eval(
          RESERVE,
          2,
          slotKey(channel),
          holdKey(channel),
          this.intervalMs,
          this.maxWaitMs,
        ),
      );
      if (wait < 0) throw new ChannelBusy(channel);
      if (wait > 0) await sleep(wait);
      const late = performance.now() - asked - wait;
      if (late > margin && attempt < 5) continue;
      // A 429 seen by any replica while this one slept voids its slot: take a new one.
      if (wait > 0 && (await this.redis.pttl(holdKey(channel))) > 0) continue;
      return;
    }
  }

  /** No replica posts to this channel for `ms`. */
  async holdOff(channel: string, ms: number): Promise<void> {
    await this.redis.eval(HOLD_OFF, 2, slotKey(channel), holdKey(channel), Math.ceil(ms));
  }

  /** Posts in this channel's next slot; a 429 holds the channel off for Retry-After and tries again. */
  async post<T>(channel: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.waitTurn(channel);
      try {
        return await send();
      } catch (error) {
        const delayMs = rateLimitDelayMs(error);
        if (delayMs === undefined || attempt >= this.maxRetries) throw error;
        await this.holdOff(channel, delayMs);
      }
    }
  }
}

const slotKey = (channel: string) => `pace:${channel}`;
const holdKey = (channel: string) => `pace:hold:${channel}`;

/** The reminders engine's notifier, each post in its channel's slot. */
export function pacedReminders(notifier: ReminderNotifier, pacer: ChannelPacer): ReminderNotifier {
  return {
    postReminder: (channel: string, reminder: DueReminder) =>
      pacer.post(channel, () => notifier.postReminder(channel, reminder)),
    postNeverExpiresFinding: (channel: string, finding: NeverExpiresFinding) =>
      pacer.post(channel, () => notifier.postNeverExpiresFinding(channel, finding)),
  };
}
