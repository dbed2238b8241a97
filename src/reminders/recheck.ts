// The last look before a reminder: is the secret still in ADH as we track it?
import type { Logger } from "../log.js";
import type { TrackedSecret, TrackedSecretStore } from "../store/tracked-secrets.js";
import type { SecretSource } from "./ports.js";
import { expirationSeconds } from "./thresholds.js";

/**
 * Asks ADH whether the secret still exists as tracked, just before reminding about it:
 * without REMINDER_CHANNEL nothing else would notice a bot-minted secret deleted in the
 * portal (typically the old one after a rotation), and with it the last sync may be
 * hours old. Gone: untracked. New expiry: re-tracked (its schedule starts over). If ADH
 * cannot answer, the reminder goes out anyway: a reminder about a deleted secret is
 * better than none about a live one.
 */
export async function stillAsTracked(
  source: SecretSource | undefined,
  store: TrackedSecretStore,
  log: Logger,
  secret: TrackedSecret,
): Promise<"same" | "changed" | "unknown"> {
  if (!source) return "unknown";
  const ref = { clientId: secret.clientId, secretId: secret.secretId };
  let expiration: number | null | undefined;
  try {
    const found = (await source.listSecrets(secret.clientId)).find((s) => s.Id === secret.secretId);
    expiration = found === undefined ? undefined : expirationSeconds(found);
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (status !== 404) {
      log.warn(
        { ...ref, err: err instanceof Error ? err.message : String(err) },
        "could not check the secret in ADH; reminding anyway",
      );
      return "unknown";
    }
    expiration = undefined; // the client itself is gone
  }
  if (expiration === undefined) {
    await store.untrackSecret(ref);
    log.info(ref, "secret no longer in ADH; untracked instead of reminded");
    return "changed";
  }
  if (expiration !== secret.expiration) {
    await store.trackSecret({ ...secret, expiration });
    log.info(ref, "secret's expiry changed in ADH; its reminders start over");
    return "changed";
  }
  return "same";
}
