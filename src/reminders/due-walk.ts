// The scan's walk over the tracked:due index: soonest first, a batch at a time, each
// secret offered once per scan, until nothing is due, `max` are sent or the scan is stopped.
import type { SecretRef, TrackedSecret, TrackedSecretStore } from "../store/tracked-secrets.js";

const SCAN_BATCH = 200;

/** What became of one due secret: reminded, post failed (released for the next scan), or skipped/rescheduled. */
export type ReminderOutcome = "sent" | "failed" | "moved";

export interface DueWalk {
  store: TrackedSecretStore;
  /** Epoch ms. */
  now: () => number;
  /** Reminders sent per scan at most. */
  max: number;
  signal: AbortSignal;
  remind: (ref: SecretRef, secret: TrackedSecret | null) => Promise<ReminderOutcome>;
}

/** Offers every due secret to `remind`; returns how many reminders were sent. */
export async function walkDue({ store, now, max, signal, remind }: DueWalk): Promise<number> {
  const attempted = new Set<string>();
  let sent = 0;
  // A failed post is released back into the due range; the window grows by one for
  // each so one bad channel cannot hide everyone behind it within this scan.
  let stuck = 0;
  while (sent < max && !signal.aborted) {
    const nowSec = now() / 1000;
    const refs = await store.dueBefore(nowSec, SCAN_BATCH + stuck);
    const fresh = refs.filter((r) => !attempted.has(`${r.clientId}:${r.secretId}`));
    if (fresh.length === 0) break;
    const secrets = await store.getMany(fresh);
    for (const [i, ref] of fresh.entries()) {
      if (sent >= max || signal.aborted) break;
      attempted.add(`${ref.clientId}:${ref.secretId}`);
      const outcome = await remind(ref, secrets[i] ?? null);
      if (outcome === "sent") sent++;
      if (outcome === "failed") stuck++;
    }
  }
  return sent;
}
