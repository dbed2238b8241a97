// What the bot knows about a tracked secret (never its value), and the claim that lets
// exactly one caller post a given reminder.
import type { TrackedSource } from "../reminders/ports.js";

export interface SecretRef {
  clientId: string;
  secretId: number;
}

/** What the bot knows about one secret; never its value. */
export interface TrackInput extends SecretRef {
  clientName: string;
  description: string;
  /** Epoch seconds; null: never expires. */
  expiration: number | null;
  channel: string;
  source: TrackedSource;
}

export interface TrackedSecret extends TrackInput {
  /** The smallest threshold already reminded (skipped ones included); undefined: none yet. */
  lastThreshold: number | undefined;
  neverExpiresReported: boolean;
  /** A claim being posted right now (or abandoned by a crash until leaseUntil). */
  pending: { kind: ClaimKind; leaseUntil: number } | undefined;
  /** When first tracked: Redis server time in microseconds (one clock for every replica). */
  addedAt: number;
}

/** A reminder threshold in days, or the one-off never-expires finding. */
export type ClaimKind = number | "finding";

/** The right to post one (secret, kind); commit after posting, release if posting failed. */
export interface Claim extends SecretRef {
  kind: ClaimKind;
  expiration: number | null;
  token: string;
  leaseUntil: number;
}

export type ClaimOutcome =
  | { ok: true; claim: Claim }
  /** gone: untracked; stale: expiry changed since read; done: already reminded; busy: another holder's lease runs. */
  | { ok: false; reason: "gone" | "stale" | "done" | "busy" };
