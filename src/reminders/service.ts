// The reminders engine: finds due reminders in the tracked:due index and posts each
// (secret, threshold) once, syncs the tenant's secrets when REMINDER_CHANNEL is set,
// and tracks every secret the bot mints.
//
// Delivery contract. chat.postMessage has no idempotency key, so no design can make
// "post to Slack" and "record it in Redis" one atomic step. What we guarantee:
//   - Any number of replicas, scans and restarts: a (secret, threshold) is claimed by
//     exactly one caller (a Lua claim), and only the winner posts.
//   - A failed post (Slack said no, or the network did) releases the claim: the next
//     scan retries it. A reminder is never silently lost.
//   - A crash between Slack accepting the post and the commit leaves a lease; when it
//     runs out (leaseSeconds) the reminder is sent again. That rare duplicate is the
//     price of never losing one; it can also happen if a post outlives its lease, which
//     is logged. So: exactly once in normal operation, at least once across crashes.

import type { Logger } from "../log.js";
import type { MintedSecret, SecretTrackerPort } from "../requests/ports.js";
import {
  type Claim,
  type ClaimKind,
  type SecretRef,
  type TrackedSecret,
  TrackedSecretStore,
} from "../store/tracked-secrets.js";
import { auditReminderSent } from "./audit.js";
import { type ReminderOutcome, walkDue } from "./due-walk.js";
import { acquireLock, type HeldLock } from "./lock.js";
import { stillAsTracked } from "./recheck.js";
import { dueReminder, neverExpiresFinding } from "./reminder-content.js";
import { ScheduledTenantSync, type SyncOutcome } from "./scheduled-sync.js";
import type { ReminderServiceOptions } from "./service-options.js";
import { dueThreshold, expirationSeconds, normaliseThresholds } from "./thresholds.js";

export type { SyncOutcome } from "./scheduled-sync.js";
export type { ReminderServiceOptions } from "./service-options.js";

const SCAN_LOCK = "lock:reminder-scan";
const LOCK_TTL_MS = 30_000;

export class ReminderService implements SecretTrackerPort {
  private readonly store: TrackedSecretStore;
  private readonly thresholds: number[];
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly leaseSeconds: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly abort = new AbortController();
  private scanning: Promise<{ sent: number }> | undefined;
  private readonly sync: ScheduledTenantSync;

  constructor(private readonly o: ReminderServiceOptions) {
    this.thresholds = normaliseThresholds(o.thresholds);
    this.store = new TrackedSecretStore(o.redis, this.thresholds);
    this.now = o.now ?? Date.now;
    this.log = o.logger.child({ component: "reminders" });
    this.leaseSeconds = o.leaseSeconds ?? 300;
    this.sync = new ScheduledTenantSync(o, this.store, this.log, this.now, this.abort.signal);
  }

  /** The store, for listings and tests. */
  get tracked(): TrackedSecretStore {
    return this.store;
  }

  /** A client deleted through the bot: none of its secrets is reminded any more. */
  async untrackClient(clientId: string): Promise<void> {
    await this.store.untrackClient(clientId);
  }

  /** A secret deleted through the bot: no more reminders for it. */
  async untrackSecret(clientId: string, secretId: number): Promise<void> {
    await this.store.untrackSecret({ clientId, secretId });
  }

  /** Starts tracking a secret the bot just minted; its reminders go to the team's channel. */
  async trackMintedSecret(secret: MintedSecret): Promise<void> {
    await this.store.trackSecret({
      clientId: secret.clientId,
      secretId: secret.secretId,
      clientName: secret.clientName,
      description: secret.description,
      expiration: expirationSeconds({
        Expiration: secret.expiration,
        Expires: secret.expiration !== null,
      }),
      channel: secret.channel,
      source: "bot",
    });
  }

  /**
   * Sends every reminder and finding that is due. Concurrent calls in one process share
   * one run; across replicas a short lock saves duplicate work.
   */
  scanDue(): Promise<{ sent: number }> {
    this.scanning ??= this.track(this.runScan()).finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async runScan(): Promise<{ sent: number }> {
    let lock: HeldLock | null = null;
    if (this.o.useScanLock !== false) {
      lock = await acquireLock(this.o.redis, SCAN_LOCK, LOCK_TTL_MS);
      if (!lock) return { sent: 0 };
    }
    try {
      return await this.sendDue();
    } finally {
      await lock?.release();
    }
  }

  private async sendDue(): Promise<{ sent: number }> {
    const sent = await walkDue({
      store: this.store,
      now: this.now,
      max: this.o.maxPerScan ?? 1000,
      signal: this.abort.signal,
      remind: (ref, secret) => this.remindOne(ref, secret),
    });
    if (sent > 0) this.log.info({ sent }, "expiry reminders sent");
    return { sent };
  }

  private async remindOne(ref: SecretRef, secret: TrackedSecret | null): Promise<ReminderOutcome> {
    const nowSec = Math.floor(this.now() / 1000);
    if (secret === null || (secret.expiration === null && secret.neverExpiresReported)) {
      await this.store.reschedule(ref); // index entry without a job: drop or move it
      return "moved";
    }
    if (secret.expiration === null) {
      return this.deliver(secret, "finding", nowSec, () =>
        this.o.notifier.postNeverExpiresFinding(secret.channel, neverExpiresFinding(secret)),
      );
    }
    const expiration = secret.expiration;
    const threshold = dueThreshold({
      expiration,
      now: nowSec,
      thresholds: this.thresholds,
      last: secret.lastThreshold,
    });
    if (threshold === undefined) {
      await this.store.reschedule(ref);
      return "moved";
    }
    const reminder = dueReminder(secret, expiration, threshold, nowSec);
    return this.deliver(secret, threshold, nowSec, () =>
      this.o.notifier.postReminder(secret.channel, reminder),
    );
  }

  /** Claim → post → commit; a failed post releases the claim for the next scan. */
  private async deliver(
    secret: TrackedSecret,
    kind: ClaimKind,
    nowSec: number,
    post: () => Promise<void>,
  ): Promise<ReminderOutcome> {
    const outcome = await this.store.claim(
      secret,
      kind,
      secret.expiration,
      nowSec,
      this.leaseSeconds,
    );
    if (!outcome.ok) return "moved"; // another replica has it, or it is done or gone
    const claim: Claim = outcome.claim;
    const ids = { clientId: secret.clientId, secretId: secret.secretId, kind };
    if ((await stillAsTracked(this.o.source, this.store, this.log, secret)) === "changed")
      return "moved";
    try {
      await post();
    } catch (err) {
      await this.store.release(claim);
      this.log.warn(
        { ...ids, channel: secret.channel, err: err instanceof Error ? err.message : String(err) },
        "reminder not delivered; it is retried on the next scan",
      );
      return "failed";
    }
    if (this.now() / 1000 > claim.leaseUntil) {
      this.log.warn(
        ids,
        "reminder posted after its claim's lease ran out; a duplicate is possible",
      );
    }
    await this.store.commit(claim);
    this.log.info({ ...ids, channel: secret.channel }, "reminder sent");
    await auditReminderSent(this.o.audit, secret, kind, this.now(), this.log);
    return "sent";
  }

  /**
   * Syncs the tenant's hybrid clients and secrets (REMINDER_CHANNEL must be set). Only
   * one replica syncs at a time; the others return `ran: false`. Throws when the sync
   * fails — having kept every tracked secret.
   */
  syncTenant(): Promise<SyncOutcome> {
    return this.track(this.sync.run());
  }

  /**
   * Runs the scan now and every REMINDER_INTERVAL_SECONDS, and (with REMINDER_CHANNEL)
   * checks every minute whether a tenant sync is due. Timers never keep the process alive.
   */
  start(): void {
    const every = (seconds: number, run: () => void) => {
      const timer = setInterval(run, seconds * 1000);
      timer.unref();
      this.timers.push(timer);
    };
    const scan = () => {
      this.scanDue().catch((err) => this.log.error({ err }, "reminder scan failed"));
      const own = this.o.ownCredentials;
      if (own)
        this.track(own.check()).catch((err) =>
          this.log.warn({ err }, "could not check the bot's own ADH secrets"),
        );
    };
    scan();
    every(this.o.intervalSeconds, scan);
    if (this.o.reminderChannel && this.o.source) {
      const tick = () => {
        this.track(
          this.sync.isDue().then(async (due) => {
            if (!due) return;
            const result = await this.syncTenant();
            if (result.ran) scan(); // newly found secrets may be due already
          }),
        ).catch((err) => {
          const message = err instanceof Error ? err.message : String(err);
          if (this.abort.signal.aborted) this.log.info("tenant sync stopped for shutdown");
          else this.log.error({ err: message }, "tenant sync failed");
        });
      };
      tick();
      every(Math.min(this.o.syncIntervalSeconds, 60), tick);
    }
  }

  /** Stops the timers, asks a running sync or scan to stop early, and waits for it. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
    await this.o.ownCredentials?.close();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }
}
