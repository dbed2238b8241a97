// Ships the audit trail to AUDIT_WEBHOOK_URL: every event POSTed in stream order, at least
// once, signed with HMAC-SHA256 of the body. One shipper at a time across replicas (a Redis
// lease), resuming from a cursor in Redis after a restart. It runs in the background and
// only reads the stream, so a dead endpoint grows a backlog and never slows a request.
import { createHmac, randomUUID } from "node:crypto";
import { request } from "undici";
import type { Logger } from "../log.js";
import { AUDIT_KEY, AuditTrail } from "./audit-stream.js";
import type { RedisClient as Redis } from "./redis.js";

// KEYS: lease. ARGV: owner, lease ms. Takes a free lease or renews our own.
const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

// KEYS: lease, cursor. ARGV: owner, expected cursor, new cursor.
// Moves the cursor only for the lease holder and only from where it read, so a shipper
// that lost its lease mid-POST cannot move another's cursor backwards or skip events.
const ADVANCE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local at = redis.call('HGET', KEYS[2], 'id') or '0-0'
if at ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 'id', ARGV[3])
redis.call('HINCRBY', KEYS[2], 'shipped', 1)
return 1
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    hcbAuditShipLease(
      lease: string,
      owner: string,
      ms: string,
    ): import("ioredis").Result<number, Context>;
    hcbAuditShipAdvance(
      lease: string,
      cursor: string,
      owner: string,
      expected: string,
      next: string,
    ): import("ioredis").Result<number, Context>;
  }
}

export interface AuditShipperOptions {
  redis: Redis;
  url: string;
  secret: string;
  logger: Logger;
  leaseMs?: number;
  /** How often an idle shipper looks for new events (and a follower for a free lease). */
  pollMs?: number;
  /** Retry delays: base × 2^failures, capped, with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

export interface AuditBacklog {
  events: number;
  oldestAgeSeconds: number;
}

export function auditSignature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export class AuditShipper {
  private readonly owner = randomUUID();
  private readonly trail: AuditTrail;
  private stopped = true;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private failures = 0;
  private readonly inFlight = new AbortController();

  constructor(private readonly options: AuditShipperOptions) {
    const { redis } = options;
    this.trail = new AuditTrail(redis);
    redis.defineCommand("hcbAuditShipLease", { numberOfKeys: 1, lua: LEASE_SCRIPT });
    redis.defineCommand("hcbAuditShipAdvance", { numberOfKeys: 2, lua: ADVANCE_SCRIPT });
  }

  /** Starts shipping; a stopped shipper is not restarted (make a new one). */
  start(): void {
    if (!this.stopped || this.inFlight.signal.aborted) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Aborts the POST in flight (if any); the cursor says where the next start resumes. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.inFlight.abort();
    await this.loop;
    await this.options.redis
      .eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        AUDIT_KEY.shipLease,
        this.owner,
      )
      .catch(() => undefined);
  }

  /** Events not yet shipped and how long the oldest has waited (for /metrics). */
  async backlog(): Promise<AuditBacklog> {
    const { redis } = this.options;
    const [appended, [cursor, shipped]] = await Promise.all([
      this.trail.appendedCount(),
      redis.hmget(AUDIT_KEY.shipCursor, "id", "shipped"),
    ]);
    const events = Math.max(0, appended - Number(shipped ?? 0));
    const [next] = await redis.xrange(AUDIT_KEY.stream, `(${cursor ?? "0-0"}`, "+", "COUNT", 1);
    const oldestMs = next ? Number(next[0].split("-")[0]) : undefined;
    const now = (this.options.now ?? Date.now)();
    return {
      events,
      oldestAgeSeconds: oldestMs === undefined ? 0 : Math.max(0, (now - oldestMs) / 1000),
    };
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopped) {
      let delay = this.options.pollMs ?? 1_000;
      try {
        if (await this.holdLease()) {
          const shipped = await this.shipPage();
          if (shipped === "failed") delay = this.retryDelay();
          else if (shipped > 0) delay = 0;
        }
      } catch (error) {
        // Redis away: try again later; the cursor in Redis is still where it was.
        logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          "audit shipper: redis unavailable",
        );
      }
      if (delay > 0) await this.sleep(delay);
    }
  }

  private async holdLease(): Promise<boolean> {
    const leaseMs = this.options.leaseMs ?? 15_000;
    return (
      (await this.options.redis.hcbAuditShipLease(
        AUDIT_KEY.shipLease,
        this.owner,
        String(leaseMs),
      )) === 1
    );
  }

  /** Ships up to a page in order; stops at the first failure (retried after a backoff). */
  private async shipPage(): Promise<number | "failed"> {
    const { redis, logger } = this.options;
    let cursor = (await redis.hget(AUDIT_KEY.shipCursor, "id")) ?? "0-0";
    let shipped = 0;
    for await (const stored of this.trail.entries({ after: cursor, pageSize: 100 })) {
      if (this.stopped) break;
      const body = JSON.stringify(stored.event);
      const failure = await this.post(body, stored.event.id);
      if (failure) {
        this.failures++;
        logger.warn(
          { eventId: stored.event.id, failure, attempt: this.failures },
          "audit webhook refused or unreachable; will retry",
        );
        return "failed";
      }
      this.failures = 0;
      const moved = await redis.hcbAuditShipAdvance(
        AUDIT_KEY.shipLease,
        AUDIT_KEY.shipCursor,
        this.owner,
        cursor,
        stored.streamId,
      );
      if (moved !== 1) break; // lease lost: the new holder carries on from the cursor
      cursor = stored.streamId;
      shipped++;
      if (shipped % 20 === 0 && !(await this.holdLease())) break;
    }
    return shipped;
  }

  /** Resolves to undefined on a 2xx, else to what went wrong (status or error code). */
  private async post(body: string, eventId: string): Promise<string | undefined> {
    const timeout = this.options.timeoutMs ?? 10_000;
    try {
      const response = await request(this.options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-audit-signature": auditSignature(body, this.options.secret),
          "x-audit-event-id": eventId,
        },
        body,
        headersTimeout: timeout,
        signal: this.inFlight.signal,
        bodyTimeout: timeout,
      });
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300
        ? undefined
        : `status ${response.statusCode}`;
    } catch (error) {
      return error instanceof Error
        ? ((error as NodeJS.ErrnoException).code ?? error.name)
        : "error";
    }
  }

  private retryDelay(): number {
    const base = this.options.retryBaseMs ?? 1_000;
    const max = this.options.retryMaxMs ?? 60_000;
    const exponential = Math.min(max, base * 2 ** Math.min(this.failures - 1, 16));
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
