// The audit trail in Redis: one stream of hash-chained events, appended by a Lua script
// (alone, or inside the request compare-and-set so a transition and its event are one
// step), read back for export, checked end to end by verify, trimmed by retention.

import {
  type AuditEvent,
  type AuditRecord,
  auditEventId,
  prepareAuditEvent,
  sha256Hex,
} from "./audit-event.js";
import { AUDIT_STANDALONE_SCRIPT, AUDIT_TRIM_SCRIPT } from "./audit-lua.js";
import type { RedisClient as Redis } from "./redis.js";

/** Key names (under the connection's key prefix); always passed to scripts as KEYS. */
export const AUDIT_KEY = {
  stream: "audit:stream",
  /** hash: hash (chain head), ms (last stream time), n (events ever appended), anchor. */
  head: "audit:head",
  /** zset: event id → stream time, so a redelivered event is appended once. */
  ids: "audit:ids",
  shipCursor: "audit:ship:cursor",
  shipLease: "audit:ship:lease",
};

const DAY_MS = 86_400_000;
const PAGE = 1_000;
/** Export reads this far past --until, for events whose stream time was moved forward. */
const CLOCK_SKEW_MS = 5 * 60_000;

declare module "ioredis" {
  interface RedisCommander<Context> {
    hcbAuditAppend(
      stream: string,
      head: string,
      ids: string,
      eventId: string,
      atMs: string,
      before: string,
      after: string,
    ): import("ioredis").Result<string | null, Context>;
    hcbAuditTrim(
      stream: string,
      head: string,
      ids: string,
      minMs: string,
    ): import("ioredis").Result<number, Context>;
  }
}

export interface StoredAuditEvent {
  /** The stream entry id (`<ms>-<seq>`), the shipper's cursor. */
  streamId: string;
  event: AuditEvent;
  /** The exact JSON that was hashed (the event without `hash`). */
  body: string;
}

export type VerifyResult =
  | { ok: true; checked: number; head: string }
  | {
      ok: false;
      checked: number;
      brokenEventId: string;
      streamId: string;
      problem: "hash-mismatch" | "prev-mismatch" | "unreadable";
    };

export class AuditTrail {
  constructor(
    private readonly redis: Redis,
    private readonly options: { retentionDays?: number } = {},
  ) {
    redis.defineCommand("hcbAuditAppend", { numberOfKeys: 3, lua: AUDIT_STANDALONE_SCRIPT });
    redis.defineCommand("hcbAuditTrim", { numberOfKeys: 3, lua: AUDIT_TRIM_SCRIPT });
  }

  /**
   * Appends an event that is not a request transition (a reveal, a reminder…). `id` must
   * be stable for the occurrence (see auditEventId); a second append with it is skipped.
   * Resolves to the stream id, or null for a duplicate.
   */
  async append(record: AuditRecord & { id: string; at: number }): Promise<string | null> {
    const prepared = prepareAuditEvent(record.id, record.at, record);
    return this.redis.hcbAuditAppend(
      AUDIT_KEY.stream,
      AUDIT_KEY.head,
      AUDIT_KEY.ids,
      prepared.id,
      String(prepared.atMs),
      prepared.before,
      prepared.after,
    );
  }

  static eventId = auditEventId;

  /** Events in order, optionally from a stream id (exclusive), a page at a time. */
  async *entries(
    options: { after?: string; startMs?: number; endMs?: number; pageSize?: number } = {},
  ) {
    const size = options.pageSize ?? PAGE;
    let start = options.after
      ? `(${options.after}`
      : options.startMs
        ? `${options.startMs}-0`
        : "-";
    const end = options.endMs !== undefined ? `${options.endMs}-18446744073709551615` : "+";
    for (;;) {
      const page = await this.redis.xrange(AUDIT_KEY.stream, start, end, "COUNT", size);
      for (const [streamId, fields] of page) yield toStored(streamId, fields);
      if (page.length < size) return;
      start = `(${page[page.length - 1]?.[0]}`;
    }
  }

  /** Events whose `at` lies in [since, until], oldest first. */
  async *export(range: { since?: Date; until?: Date } = {}): AsyncGenerator<AuditEvent> {
    const sinceMs = range.since?.getTime();
    const untilMs = range.until?.getTime();
    for await (const stored of this.entries({
      ...(sinceMs !== undefined ? { startMs: sinceMs } : {}),
      ...(untilMs !== undefined ? { endMs: untilMs + CLOCK_SKEW_MS } : {}),
    })) {
      const at = Date.parse(stored.event.at);
      if (sinceMs !== undefined && at < sinceMs) continue;
      if (untilMs !== undefined && at > untilMs) continue;
      yield stored.event;
    }
  }

  /**
   * Walks the chain from the first kept event: each body must hash to its `hash`, and
   * each `prev` must be the hash before it (for the first, the last trimmed event's).
   */
  async verify(): Promise<VerifyResult> {
    let expectedPrev = (await this.redis.hget(AUDIT_KEY.head, "anchor")) ?? "";
    let checked = 0;
    for await (const stored of this.entries()) {
      const { event, body, streamId } = stored;
      const broken = (problem: "hash-mismatch" | "prev-mismatch" | "unreadable") =>
        ({ ok: false, checked, brokenEventId: event.id, streamId, problem }) as const;
      if (!event.id) return broken("unreadable");
      if (event.prev !== expectedPrev) return broken("prev-mismatch");
      if (sha256Hex(body) !== event.hash) return broken("hash-mismatch");
      expectedPrev = event.hash;
      checked++;
    }
    return { ok: true, checked, head: expectedPrev };
  }

  /** Drops events older than the retention; the chain stays verifiable from the first kept. */
  async trim(now: number): Promise<number> {
    const days = this.options.retentionDays ?? 400;
    return this.redis.hcbAuditTrim(
      AUDIT_KEY.stream,
      AUDIT_KEY.head,
      AUDIT_KEY.ids,
      String(now - days * DAY_MS),
    );
  }

  /** How many events were ever appended (survives trimming). */
  async appendedCount(): Promise<number> {
    return Number((await this.redis.hget(AUDIT_KEY.head, "n")) ?? 0);
  }

  /** The newest `count` events, newest first, optionally about one client. */
  async latest(count: number, clientId?: string): Promise<AuditEvent[]> {
    const found: AuditEvent[] = [];
    let end = "+";
    while (found.length < count) {
      const page = await this.redis.xrevrange(AUDIT_KEY.stream, end, "-", "COUNT", PAGE);
      for (const [streamId, fields] of page) {
        const { event } = toStored(streamId, fields);
        if (!clientId || event.clientId === clientId) found.push(event);
        if (found.length === count) break;
      }
      if (page.length < PAGE) break;
      end = `(${page[page.length - 1]?.[0]}`;
    }
    return found;
  }
}

function toStored(streamId: string, fields: string[]): StoredAuditEvent {
  let body = "";
  let hash = "";
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === "e") body = fields[i + 1] ?? "";
    if (fields[i] === "h") hash = fields[i + 1] ?? "";
  }
  let parsed: Omit<AuditEvent, "hash">;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = { id: "", prev: "" } as Omit<AuditEvent, "hash">;
  }
  return { streamId, body, event: { ...parsed, hash } };
}
