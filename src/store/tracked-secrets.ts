// Tracked client secrets for expiry reminders: one small HASH per secret, a ZSET of
// when each is next due, and a SET per client (plus one of clients) so deletions and
// listings never SCAN the keyspace. Every write that touches the schedule is a Lua
// script, so a claim by one replica and an upsert by the tenant sync never interleave.
//
// The keys and the Lua are in tracked-secret-scripts.ts, the hash fields in
// tracked-secret-hash.ts.
//
// Never a secret value: ADH returns it only on create, and nothing here receives it.
import { randomBytes } from "node:crypto";
import { truncate } from "../text.js";
import { chunks, execOrThrow } from "./pipeline-batches.js";
import type { RedisClient as Redis } from "./redis.js";
import { decodeSecretHash, encodeExpiration, encodeKind } from "./tracked-secret-hash.js";
import type {
  Claim,
  ClaimKind,
  ClaimOutcome,
  SecretRef,
  TrackedSecret,
  TrackInput,
} from "./tracked-secret-model.js";
import {
  CLIENTS,
  clientKey,
  DUE,
  ensureScripts,
  member,
  parseMember,
  script,
  secretKey,
} from "./tracked-secret-scripts.js";

export type {
  Claim,
  ClaimKind,
  ClaimOutcome,
  SecretRef,
  TrackedSecret,
  TrackInput,
} from "./tracked-secret-model.js";

// Longer text is cut before storing: reminders show less than this anyway, and it keeps
// every field small enough for Redis' compact listpack encoding of the hash.
const MAX_STORED_TEXT = 200;

export class TrackedSecretStore {
  private readonly thresholds: string;

  /** `thresholds`: REMINDER_DAYS, the whole days before expiry to remind at. */
  constructor(
    private readonly redis: Redis,
    thresholds: readonly number[],
  ) {
    this.thresholds = thresholds.join(",");
    ensureScripts(redis);
  }

  /** Starts or refreshes tracking of one secret. See trackMany. */
  async trackSecret(input: TrackInput): Promise<void> {
    await this.trackMany([input]);
  }

  /**
   * Upserts secrets, pipelined in batches. Name and description follow ADH; a changed
   * expiration restarts the reminders; a bot-minted secret keeps source "bot" and its
   * channel when the tenant sync reports it too.
   */
  async trackMany(inputs: readonly TrackInput[]): Promise<void> {
    for (const batch of chunks(inputs)) {
      const pipeline = this.redis.pipeline();
      const track = script(pipeline, "track");
      for (const s of batch) {
        void track(
          secretKey(s),
          DUE,
          clientKey(s.clientId),
          CLIENTS,
          member(s),
          s.secretId,
          s.clientId,
          truncate(s.clientName, MAX_STORED_TEXT),
          truncate(s.description, MAX_STORED_TEXT),
          encodeExpiration(s.expiration),
          s.channel,
          s.source === "bot" ? "b" : "t",
          this.thresholds,
        );
      }
      await execOrThrow(pipeline);
    }
  }

  /** Redis' own clock in microseconds: what `addedAt` and `trackedBefore` are measured in. */
  async serverTime(): Promise<number> {
    const [sec, usec] = await this.redis.time();
    return Number(sec) * 1_000_000 + Number(usec);
  }

  /**
   * Stops tracking secrets. With `trackedBefore` (serverTime()) a secret first tracked at
   * or after it is kept: the tenant sync passes its start so a secret minted while it
   * ran is not mistaken for a deleted one. Returns how many were removed.
   */
  async untrackMany(refs: readonly SecretRef[], trackedBefore?: number): Promise<number> {
    let removed = 0;
    for (const batch of chunks(refs)) {
      const pipeline = this.redis.pipeline();
      const untrack = script(pipeline, "untrack");
      for (const r of batch) {
        void untrack(
          secretKey(r),
          DUE,
          clientKey(r.clientId),
          CLIENTS,
          member(r),
          r.secretId,
          r.clientId,
          trackedBefore === undefined ? "" : trackedBefore,
        );
      }
      for (const n of await execOrThrow(pipeline)) removed += Number(n);
    }
    return removed;
  }

  async untrackSecret(ref: SecretRef, trackedBefore?: number): Promise<boolean> {
    return (await this.untrackMany([ref], trackedBefore)) === 1;
  }

  /** Stops tracking every secret of a client. Returns how many were removed. */
  async untrackClient(clientId: string, trackedBefore?: number): Promise<number> {
    const ids = await this.redis.smembers(clientKey(clientId));
    return this.untrackMany(
      ids.map((id) => ({ clientId, secretId: Number(id) })),
      trackedBefore,
    );
  }

  async get(ref: SecretRef): Promise<TrackedSecret | null> {
    const [found] = await this.getMany([ref]);
    return found ?? null;
  }

  /** The tracked secrets among `refs`, in order; null where one is not tracked. */
  async getMany(refs: readonly SecretRef[]): Promise<(TrackedSecret | null)[]> {
    const out: (TrackedSecret | null)[] = [];
    for (const batch of chunks(refs)) {
      const pipeline = this.redis.pipeline();
      for (const r of batch) pipeline.hgetall(secretKey(r));
      const hashes = (await execOrThrow(pipeline)) as Record<string, string>[];
      batch.forEach((r, i) => {
        out.push(decodeSecretHash(r, hashes[i] ?? {}));
      });
    }
    return out;
  }

  /** Client ids with at least one tracked secret (SSCAN: never blocks Redis for long). */
  /** How many secrets are tracked (for the metrics gauge): one SCARD per client, pipelined. */
  async count(): Promise<number> {
    const clientIds = await this.trackedClientIds();
    const pipeline = this.redis.pipeline();
    for (const id of clientIds) pipeline.scard(`tracked:client:${id}`);
    const replies = (await pipeline.exec()) ?? [];
    return replies.reduce((sum, [, n]) => sum + (typeof n === "number" ? n : 0), 0);
  }

  async trackedClientIds(): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = "0";
    do {
      const [next, page] = await this.redis.sscan(CLIENTS, cursor, "COUNT", 1000);
      for (const id of page) ids.add(id);
      cursor = next;
    } while (cursor !== "0");
    return [...ids];
  }

  /** The tracked secret ids of each of `clientIds`. */
  async trackedSecretIds(clientIds: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const batch of chunks(clientIds)) {
      const pipeline = this.redis.pipeline();
      for (const id of batch) pipeline.smembers(clientKey(id));
      const sets = (await execOrThrow(pipeline)) as string[][];
      batch.forEach((id, i) => {
        out.set(id, (sets[i] ?? []).map(Number));
      });
    }
    return out;
  }

  /** Every tracked secret (for listings and the sync's deletion pass). */
  async listTracked(): Promise<TrackedSecret[]> {
    const byClient = await this.trackedSecretIds(await this.trackedClientIds());
    const refs = [...byClient].flatMap(([clientId, ids]) =>
      ids.map((secretId) => ({ clientId, secretId })),
    );
    return (await this.getMany(refs)).filter((s): s is TrackedSecret => s !== null);
  }

  /**
   * Secrets whose next reminder (or never-expires finding) is due at or before `nowSec`,
   * soonest first: a range read of the tracked:due index, never a scan.
   */
  async dueBefore(nowSec: number, limit: number, offset = 0): Promise<SecretRef[]> {
    const members = await this.redis.zrangebyscore(
      DUE,
      "-inf",
      Math.floor(nowSec),
      "LIMIT",
      offset,
      limit,
    );
    return members.map(parseMember).filter((r): r is SecretRef => r !== undefined);
  }

  /** Epoch second the secret is next due, or null when nothing is scheduled. */
  async dueAt(ref: SecretRef): Promise<number | null> {
    const score = await this.redis.zscore(DUE, member(ref));
    return score === null ? null : Number(score);
  }

  /**
   * Claims (secret, kind) for posting, atomically across replicas: it must still be
   * tracked with the expiration the caller read, not yet reminded at this threshold
   * (or any smaller one), and not held by another live lease. The winner owns it until
   * `leaseUntil` (epoch s); a crashed holder's lease runs out and the claim is retried.
   */
  async claim(
    ref: SecretRef,
    kind: ClaimKind,
    expiration: number | null,
    nowSec: number,
    leaseSeconds: number,
  ): Promise<ClaimOutcome> {
    const token = randomBytes(6).toString("base64url");
    const leaseUntil = Math.floor(nowSec) + leaseSeconds;
    const result = await script(this.redis, "claim")(
      secretKey(ref),
      DUE,
      member(ref),
      encodeKind(kind),
      encodeExpiration(expiration),
      leaseUntil,
      Math.floor(nowSec),
      token,
    );
    if (result === "ok")
      return { ok: true, claim: { ...ref, kind, expiration, token, leaseUntil } };
    return { ok: false, reason: result as "gone" | "stale" | "done" | "busy" };
  }

  /**
   * Records a posted claim: the threshold (and every larger one) is done, or the
   * finding is reported; the secret moves to its next threshold or leaves the index.
   */
  async commit(claim: Claim): Promise<void> {
    await script(this.redis, "commit")(
      secretKey(claim),
      DUE,
      member(claim),
      encodeKind(claim.kind),
      encodeExpiration(claim.expiration),
      claim.token,
      this.thresholds,
    );
  }

  /** Gives a claim back after a failed post, so the next scan tries again. */
  async release(claim: Claim): Promise<boolean> {
    const released = await script(this.redis, "release")(
      secretKey(claim),
      DUE,
      member(claim),
      claim.token,
      this.thresholds,
    );
    return released === 1;
  }

  /** Recomputes a secret's due score from its hash (when the index and hash disagree). */
  async reschedule(ref: SecretRef): Promise<void> {
    await script(this.redis, "reschedule")(secretKey(ref), DUE, member(ref), this.thresholds);
  }
}
