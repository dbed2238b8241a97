// Expiry reminders: the tenant sync, the bot's own secrets, and posting paced per channel
// across replicas.
import { WebClient } from "@slack/web-api";
import type { Config } from "../config.js";
import type { Metrics } from "../ops/metrics.js";
import { OwnCredentialsWatch } from "../reminders/own-credentials.js";
import type { ReminderNotifier } from "../reminders/ports.js";
import { ReminderService } from "../reminders/service.js";
import { SlackReminderNotifier } from "../slack/reminders/notifier.js";
import { slackClientOptions } from "../slack/web-client.js";
import type { AuditTrail } from "../store/audit-stream.js";
import { ChannelPacer, pacedReminders } from "../store/channel-pacer.js";
import { clusterKeyPrefix } from "../store/key-naming.js";
import { connectRedis, redisMode, redisSettingsOf } from "../store/redis.js";
import type { Wiring } from "./shared.js";

export function createReminders(w: Wiring, audit: AuditTrail): ReminderService {
  const { config, logger, metrics, redis, adh, slack, now } = w;
  return new ReminderService({
    audit,
    redis,
    source: adh,
    // Paced per channel across replicas; its own client hands 429s to the pacer, which
    // holds that channel off for Retry-After on every replica.
    notifier: countedReminders(
      pacedReminders(
        new SlackReminderNotifier(
          new WebClient(config.slackBotToken, {
            ...slackClientOptions(config.slackApiUrl, logger),
            rejectRateLimitedCalls: true,
          }),
        ),
        new ChannelPacer(redis),
      ),
      metrics,
    ),
    logger,
    thresholds: config.reminderDays,
    reminderChannel: config.reminderChannel,
    ownCredentials: new OwnCredentialsWatch({
      redis: connectRedis(ownCredentialsRedisSettings(config)),
      source: adh,
      clientId: config.adhClientId,
      channel: config.approvalChannel,
      thresholds: config.reminderDays,
      post: async (channel, message) => {
        await slack.chat.postMessage({ channel, ...message });
      },
      logger,
      now,
    }),
    intervalSeconds: config.reminderIntervalSeconds,
    syncIntervalSeconds: config.tenantSyncIntervalSeconds,
    now,
  });
}

/** Counts what the reminder engine posts, for /metrics. */
function countedReminders(notifier: ReminderNotifier, metrics: Metrics): ReminderNotifier {
  return {
    async postReminder(channel, reminder) {
      await notifier.postReminder(channel, reminder);
      metrics.remindersSent.inc({ kind: "reminder" });
    },
    async postNeverExpiresFinding(channel, finding) {
      await notifier.postNeverExpiresFinding(channel, finding);
      metrics.remindersSent.inc({ kind: "finding" });
    },
  };
}

/**
 * The bot's own secrets are tracked under a prefix of their own (so the tenant sync never
 * drops them), which in Cluster mode still carries the bot's one hash tag.
 */
function ownCredentialsRedisSettings(config: Config) {
  const settings = redisSettingsOf(config);
  const base =
    redisMode(settings) === "cluster"
      ? clusterKeyPrefix(config.redisKeyPrefix)
      : config.redisKeyPrefix;
  return { ...settings, keyPrefix: `${base}own-client:` };
}
