// `reminder.sent` in the audit trail. Not a request transition, so it is appended on its
// own, after the reminder's claim is committed.
import type { Logger } from "../log.js";
import { auditEventId } from "../store/audit-event.js";
import type { AuditTrail } from "../store/audit-stream.js";
import type { ClaimKind, TrackedSecret } from "../store/tracked-secrets.js";

/**
 * The id names the (secret, expiry, threshold), so the rare duplicate post the delivery
 * contract allows records once. Never throws: the reminder has gone out already.
 */
export async function auditReminderSent(
  trail: AuditTrail | undefined,
  secret: TrackedSecret,
  kind: ClaimKind,
  now: number,
  log: Logger,
): Promise<void> {
  if (!trail) return;
  const occurrence = [secret.clientId, secret.secretId, secret.expiration ?? "never", kind];
  try {
    await trail.append({
      id: auditEventId("reminder.sent", ...occurrence),
      at: now,
      type: "reminder.sent",
      actor: "system",
      clientId: secret.clientId,
      details: {
        secretId: secret.secretId,
        threshold: String(kind),
        channel: secret.channel,
        source: secret.source,
      },
    });
  } catch (err) {
    log.warn(
      { clientId: secret.clientId, err: err instanceof Error ? err.message : String(err) },
      "reminder.sent not recorded in the audit trail",
    );
  }
}
