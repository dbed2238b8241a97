// The bot's own ADH client-credentials client has secrets that expire too; when the one
// in ADH_CLIENT_SECRET does, every ADH call fails. Its secrets are read from
// GET …/ClientCredentialClients/{ADH_CLIENT_ID}/Secrets and reminded about in the
// approvals channel at the REMINDER_DAYS thresholds, with the same once-only claims as
// any secret (TrackedSecretStore), kept under a key prefix of their own so the tenant
// sync never mistakes them for a deleted hybrid client's.
import type { Logger } from "../log.js";
import { closeRedis, type RedisClient } from "../store/redis.js";
import { type SecretRef, TrackedSecretStore } from "../store/tracked-secrets.js";
import {
  buildOwnSecretFinding,
  buildOwnSecretReminder,
  type OwnSecretMessage,
  type OwnSecretReminder,
} from "./own-credentials-message.js";
import { daysLeft, dueThreshold, expirationSeconds, normaliseThresholds } from "./thresholds.js";

export interface OwnSecretSource {
  listOwnClientSecrets(): Promise<
    { Id: number; Description?: string; Expiration: string | null; Expires: boolean }[]
  >;
}

export interface OwnCredentialsOptions {
  /** A connection of its own whose key prefix keeps the bot's own secrets apart from the tenant's; closed by close(). */
  redis: RedisClient;
  source: OwnSecretSource;
  /** ADH_CLIENT_ID. */
  clientId: string;
  /** APPROVAL_CHANNEL: the people who can act on it. */
  channel: string;
  thresholds: readonly number[];
  /** Posts a message (text + blocks) to a channel; throws on failure. */
  post: (channel: string, message: OwnSecretMessage) => Promise<void>;
  logger: Logger;
  now?: () => number;
  leaseSeconds?: number;
}

export interface OwnSecretStatus {
  secretId: number;
  description: string;
  /** Epoch seconds; null: never expires. */
  expiration: number | null;
  daysLeft: number | null;
}

export class OwnCredentialsWatch {
  private readonly redis: RedisClient;
  private readonly store: TrackedSecretStore;
  private readonly thresholds: number[];
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly o: OwnCredentialsOptions) {
    this.thresholds = normaliseThresholds(o.thresholds);
    this.redis = o.redis;
    // Errors are the main connection's to report; this one follows the same Redis.
    this.redis.on("error", () => {});
    this.store = new TrackedSecretStore(this.redis, this.thresholds);
    this.now = o.now ?? Date.now;
    this.log = o.logger.child({ component: "own-credentials" });
  }

  /** Reads the bot's secrets from ADH, tracks them, and posts what is due. */
  async check(): Promise<{ secrets: OwnSecretStatus[]; sent: number }> {
    const nowSec = Math.floor(this.now() / 1000);
    const listed = await this.o.source.listOwnClientSecrets();
    const secrets = listed.map((s) => {
      const expiration = expirationSeconds(s);
      return {
        secretId: s.Id,
        description: s.Description ?? "",
        expiration,
        daysLeft: expiration === null ? null : daysLeft(expiration, nowSec),
      };
    });
    await this.store.trackMany(
      secrets.map((s) => ({
        clientId: this.o.clientId,
        secretId: s.secretId,
        clientName: "hybrid-client-bot (its own ADH client)",
        description: s.description,
        expiration: s.expiration,
        channel: this.o.channel,
        source: "bot" as const,
      })),
    );
    await this.forgetDeleted(new Set(secrets.map((s) => s.secretId)));
    let sent = 0;
    for (const ref of await this.store.dueBefore(nowSec, 20)) {
      if (await this.remind(ref, nowSec)) sent++;
    }
    return { secrets, sent };
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private async forgetDeleted(live: Set<number>): Promise<void> {
    const tracked = (await this.store.trackedSecretIds([this.o.clientId])).get(this.o.clientId);
    const gone: SecretRef[] = (tracked ?? [])
      .filter((id) => !live.has(id))
      .map((secretId) => ({ clientId: this.o.clientId, secretId }));
    if (gone.length > 0) await this.store.untrackMany(gone);
  }

  /** Claim → post → commit, as for any secret; a failed post is released for next time. */
  private async remind(ref: SecretRef, nowSec: number): Promise<boolean> {
    const secret = await this.store.get(ref);
    if (secret === null) return false;
    const expiration = secret.expiration;
    const kind =
      expiration === null
        ? secret.neverExpiresReported
          ? undefined
          : ("finding" as const)
        : dueThreshold({
            expiration,
            now: nowSec,
            thresholds: this.thresholds,
            last: secret.lastThreshold,
          });
    if (kind === undefined) {
      await this.store.reschedule(ref);
      return false;
    }
    const claimed = await this.store.claim(
      ref,
      kind,
      expiration,
      nowSec,
      this.o.leaseSeconds ?? 300,
    );
    if (!claimed.ok) return false;
    const reminder: OwnSecretReminder = {
      clientId: this.o.clientId,
      secretId: ref.secretId,
      description: secret.description,
      expiration,
      daysLeft: expiration === null ? null : daysLeft(expiration, nowSec),
    };
    const message =
      kind === "finding" ? buildOwnSecretFinding(reminder) : buildOwnSecretReminder(reminder);
    try {
      await this.o.post(this.o.channel, message);
    } catch (err) {
      await this.store.release(claimed.claim);
      this.log.warn(
        { secretId: ref.secretId, err: err instanceof Error ? err.message : String(err) },
        "reminder about the bot's own ADH secret not delivered; retried on the next scan",
      );
      return false;
    }
    await this.store.commit(claimed.claim);
    this.log.info({ secretId: ref.secretId, kind }, "reminder about the bot's own ADH secret sent");
    return true;
  }
}
