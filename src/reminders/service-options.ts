// What the reminders engine is given: its Redis, ADH and Slack ports, and the settings
// REMINDER_* and TENANT_SYNC_* it runs by.
import type { Logger } from "../log.js";
import type { AuditTrail } from "../store/audit-stream.js";
import type { RedisClient as Redis } from "../store/redis.js";
import type { ReminderNotifier, SecretSource } from "./ports.js";

export interface ReminderServiceOptions {
  redis: Redis;
  /** ADH; needed only for the tenant sync. */
  source?: SecretSource;
  notifier: ReminderNotifier;
  logger: Logger;
  /** REMINDER_DAYS. */
  thresholds: readonly number[];
  /** REMINDER_CHANNEL; when set, the whole tenant is synced. */
  reminderChannel?: string | undefined;
  /** REMINDER_INTERVAL_SECONDS. */
  intervalSeconds: number;
  /** TENANT_SYNC_INTERVAL_SECONDS. */
  syncIntervalSeconds: number;
  /** Epoch ms; tests move it. */
  now?: () => number;
  /** How long a claim is held while posting; must exceed the notifier's worst-case post time. */
  leaseSeconds?: number;
  /** ADH calls in flight during the sync (the fake ADH, like a busy tenant, says 429 above 20). */
  syncConcurrency?: number;
  syncPageSize?: number;
  /** Reminders sent per scan at most; the rest wait for the next scan. */
  maxPerScan?: number;
  /** The bot's own ADH secrets: checked with every scan (own-credentials.ts). */
  ownCredentials?: { check(): Promise<unknown>; close(): Promise<void> };
  /** The scan lock only saves duplicate work (the claim is the guarantee); tests turn it off to prove that. */
  useScanLock?: boolean;
  /** The audit trail: each reminder sent appends `reminder.sent` (actor "system"). */
  audit?: AuditTrail;
}
