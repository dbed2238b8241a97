// Approver reminders and escalations due, in one sorted set scored by due time: finding
// what is due is an index range, not a scan. A reminder is claimed by removing it in a
// Lua script that also schedules the next one, so across replicas and restarts each is
// handed out once.
import type { RedisClient as Redis } from "./redis.js";

const KEY = "people:reminders:due";

/** What falls due for a request: the n-th reminder, or its one escalation. */
export type DueNotice = { requestId: string; kind: "remind" | "escalate"; n: number };

// KEYS: due zset. ARGV: now, limit, intervalMs, max reminders.
const CLAIM_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, m in ipairs(due) do
  local score = tonumber(redis.call('ZSCORE', KEYS[1], m))
  if redis.call('ZREM', KEYS[1], m) == 1 then
    table.insert(claimed, m)
    local id, kind, n = string.match(m, '^(.*)|(%a+)|(%d+)$')
    if kind == 'remind' and tonumber(n) < tonumber(ARGV[4]) then
      redis.call('ZADD', KEYS[1], score + tonumber(ARGV[3]), id .. '|remind|' .. (tonumber(n) + 1))
    end
  end
end
return claimed
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    hcbClaimDueNotices(
      due: string,
      now: string,
      limit: string,
      intervalMs: string,
      max: string,
    ): import("ioredis").Result<string[], Context>;
  }
}

export interface ReminderSchedule {
  /** 0: no reminders. */
  intervalMs: number;
  max: number;
  /** Absent: no escalation. */
  escalateAfterMs?: number;
}

export class ApproverReminderStore {
  constructor(
    private readonly redis: Redis,
    private readonly schedule: ReminderSchedule,
  ) {
    redis.defineCommand("hcbClaimDueNotices", { numberOfKeys: 1, lua: CLAIM_SCRIPT });
  }

  /** Plans a new request's first reminder and its escalation (NX: a redelivery plans nothing twice). */
  async plan(requestId: string, createdAt: number): Promise<void> {
    const { intervalMs, max, escalateAfterMs } = this.schedule;
    const args: (string | number)[] = [];
    if (intervalMs > 0 && max > 0)
      args.push(createdAt + intervalMs, member(requestId, "remind", 1));
    if (escalateAfterMs !== undefined) {
      args.push(createdAt + escalateAfterMs, member(requestId, "escalate", 1));
    }
    if (args.length > 0) await this.redis.zadd(KEY, "NX", ...args);
  }

  /** Claims up to `limit` notices due by `now`; each is returned to one caller only. */
  async claimDue(now: number, limit = 100): Promise<DueNotice[]> {
    const claimed = await this.redis.hcbClaimDueNotices(
      KEY,
      String(now),
      String(limit),
      String(this.schedule.intervalMs),
      String(this.schedule.max),
    );
    return claimed.flatMap((m) => {
      const match = /^(.*)\|(remind|escalate)\|(\d+)$/.exec(m);
      if (!match) return [];
      return [
        { requestId: match[1] ?? "", kind: match[2] as DueNotice["kind"], n: Number(match[3]) },
      ];
    });
  }

  /** Puts back a notice whose sending failed, to be tried again at `at`. */
  async putBack(notice: DueNotice, at: number): Promise<void> {
    await this.redis.zadd(KEY, at, member(notice.requestId, notice.kind, notice.n));
  }

  /** Drops every notice of a request that is no longer pending. */
  async forget(requestId: string): Promise<void> {
    const members = [member(requestId, "escalate", 1)];
    for (let n = 1; n <= this.schedule.max; n++) members.push(member(requestId, "remind", n));
    await this.redis.zrem(KEY, ...members);
  }

  /** How many notices wait (bench and tests). */
  pending(): Promise<number> {
    return this.redis.zcard(KEY);
  }
}

function member(requestId: string, kind: DueNotice["kind"], n: number): string {
  return `${requestId}|${kind}|${n}`;
}
