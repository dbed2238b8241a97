// The tenant sync as the service runs it: one replica at a time (a lock), its start and
// last success recorded in Redis so every replica knows when the next one is due.
import type { Logger } from "../log.js";
import type { TrackedSecretStore } from "../store/tracked-secrets.js";
import { acquireLock } from "./lock.js";
import type { ReminderServiceOptions } from "./service-options.js";
import { syncTenant, type TenantSyncResult } from "./tenant-sync.js";

export interface SyncOutcome extends Partial<TenantSyncResult> {
  clients: number;
  secrets: number;
  calls: number;
  /** False when another replica held the sync lock, so this one did nothing. */
  ran: boolean;
}

const SYNC_LOCK = "lock:tenant-sync";
const SYNC_STATE = "tenant-sync:state";
const LOCK_TTL_MS = 30_000;

export class ScheduledTenantSync {
  constructor(
    private readonly options: ReminderServiceOptions,
    private readonly store: TrackedSecretStore,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly signal: AbortSignal,
  ) {}

  /** Syncs the tenant under the lock; `ran: false` when another replica holds it. */
  async run(): Promise<SyncOutcome> {
    const { source, reminderChannel } = this.options;
    if (!source || !reminderChannel) {
      throw new Error("The tenant sync needs REMINDER_CHANNEL and an ADH source.");
    }
    const lock = await acquireLock(this.options.redis, SYNC_LOCK, LOCK_TTL_MS, () =>
      this.log.warn("tenant sync lock lost while syncing; another replica may sync too"),
    );
    if (!lock) return { clients: 0, secrets: 0, calls: 0, ran: false };
    try {
      await this.options.redis.hset(SYNC_STATE, "at", this.now());
      const result = await syncTenant({
        source,
        store: this.store,
        channel: reminderChannel,
        logger: this.log,
        concurrency: this.options.syncConcurrency ?? 16,
        pageSize: this.options.syncPageSize ?? 1000,
        signal: this.signal,
      });
      await this.options.redis.hset(SYNC_STATE, "ok", this.now());
      return { ...result, ran: true };
    } finally {
      await lock.release();
    }
  }

  /** Is a sync due? After TENANT_SYNC_INTERVAL_SECONDS since the last good one, whoever ran it. */
  async isDue(): Promise<boolean> {
    const [ok, at] = await this.options.redis.hmget(SYNC_STATE, "ok", "at");
    const now = this.now();
    const interval = this.options.syncIntervalSeconds * 1000;
    // After a failure, try again sooner than a full interval, but not on every tick.
    const retryAfter = Math.min(interval, 300_000);
    return now - Number(ok ?? 0) >= interval && now - Number(at ?? 0) >= retryAfter;
  }
}
