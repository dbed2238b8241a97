// What a reminder or a never-expires finding says about a tracked secret: the values the
// notifier turns into Slack messages.
import type { TrackedSecret } from "../store/tracked-secrets.js";
import type { DueReminder, NeverExpiresFinding } from "./ports.js";
import { daysLeft } from "./thresholds.js";

export function neverExpiresFinding(secret: TrackedSecret): NeverExpiresFinding {
  return {
    clientId: secret.clientId,
    clientName: secret.clientName,
    secretId: secret.secretId,
    description: secret.description,
    channel: secret.channel,
    source: secret.source,
  };
}

/** The reminder for `threshold`, with the days left at `nowSec` (epoch s). */
export function dueReminder(
  secret: TrackedSecret,
  expiration: number,
  threshold: number,
  nowSec: number,
): DueReminder {
  return {
    clientId: secret.clientId,
    clientName: secret.clientName,
    secretId: secret.secretId,
    description: secret.description,
    expiration,
    channel: secret.channel,
    threshold,
    daysLeft: daysLeft(expiration, nowSec),
    source: secret.source,
  };
}
