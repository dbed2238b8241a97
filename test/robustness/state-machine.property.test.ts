// The Redis state machine under random interleavings: a requester, three approvers and
// an outsider click at once on three replicas (store instances on their own connections),
// while the system marks creates and reveals done, failed or undelivered. Every write must
// be a legal transition, the writes must form one chain (no lost update), a request is
// created at most once per approval round, and one secret at a time is handed over.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isLifecycleKind } from "../../src/requests/lifecycle.js";
import { markApplied } from "../../src/requests/lifecycle-apply.js";
import {
  HybridClientRequest,
  KIND,
  OPEN_STATUSES,
  type RequestStatus,
  type RevealState,
} from "../../src/requests/model.js";
import * as machine from "../../src/requests/state-machine.js";
import { closeRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const REQUESTER = "UREQUEST01";
const APPROVERS = ["UAPPROVE01", "UAPPROVE02", "UAPPROVE03"] as const;
const OUTSIDER = "UOUTSIDE01";
const CREATE_LEASE_MS = 60_000;
const TTL_MS = 3_600_000;

const prefix = testPrefix("sm-prop");
const connections = [testRedis(prefix), testRedis(prefix), testRedis(prefix)];
const replicas = connections.map((redis) => new RequestStore(redis));

afterAll(async () => {
  await Promise.all(connections.map(closeRedis));
  await deletePrefix(prefix);
});

// ── the operations ─────────────────────────────────────────────────────────────

type ActorOp = "approve" | "deny" | "cancel" | "retry" | "beginReveal";
type SystemOp =
  | "markCreated"
  | "markFailed"
  | "finishReveal"
  | "abortReveal"
  | "reclaimCreate"
  | "failDelivery"
  | "attachDm";
/** The secret id finishReveal records; undoReveal names it, or another one. */
const MINTED_ID = 7;
type Op =
  | { kind: ActorOp; actor: string; replica: number }
  | { kind: SystemOp; replica: number }
  | { kind: "undoReveal"; secretId: number; replica: number }
  /** The create's owner renews its lease; `stale`: it lost the lease meanwhile. */
  | { kind: "renewCreate"; stale: boolean; replica: number }
  | { kind: "expire"; late: boolean; replica: number }
  | { kind: "tick"; ms: number };

const actor = fc.constantFrom(REQUESTER, ...APPROVERS, OUTSIDER);
const replica = fc.integer({ min: 0, max: replicas.length - 1 });
const byActor = (kind: ActorOp) => fc.record({ kind: fc.constant(kind), actor, replica });
const bySystem = (kind: SystemOp) => fc.record({ kind: fc.constant(kind), replica });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: byActor("approve"), weight: 6 },
  { arbitrary: byActor("deny"), weight: 1 },
  { arbitrary: byActor("cancel"), weight: 1 },
  { arbitrary: byActor("retry"), weight: 2 },
  { arbitrary: byActor("beginReveal"), weight: 4 },
  { arbitrary: bySystem("markCreated"), weight: 2 },
  { arbitrary: bySystem("markFailed"), weight: 2 },
  { arbitrary: bySystem("finishReveal"), weight: 2 },
  { arbitrary: bySystem("abortReveal"), weight: 2 },
  { arbitrary: bySystem("reclaimCreate"), weight: 1 },
  { arbitrary: bySystem("attachDm"), weight: 1 },
  // The "created" DM could not be sent: back to the approvers as failed.
  { arbitrary: bySystem("failDelivery"), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("renewCreate" as const),
      stale: fc.boolean(),
      replica,
    }),
    weight: 2,
  },
  // The secret could not be delivered and was deleted: the button is offered again.
  {
    arbitrary: fc.record({
      kind: fc.constant("undoReveal" as const),
      secretId: fc.constantFrom(MINTED_ID, MINTED_ID + 1),
      replica,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("expire" as const), late: fc.boolean(), replica }),
    weight: 1,
  },
  // Up to past both leases, so stale-mint and stale-create takeovers happen too.
  {
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.integer({ min: 0, max: 3 * 60_000 }),
    }),
    weight: 1,
  },
);

const scenarioArb = fc.record({
  /** Every kind goes through the same machine; lifecycle kinds are applied, never revealed. */
  kind: fc.constantFrom(...Object.values(KIND)),
  approvalsRequired: fc.integer({ min: 1, max: 3 }),
  allowSelfApproval: fc.boolean(),
  /** The requester is an approver too (self-approval must still be refused unless allowed). */
  requesterApproves: fc.boolean(),
  /** Each batch runs concurrently; batches run one after another. */
  batches: fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), {
    minLength: 1,
    maxLength: 10,
  }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

// ── the legal transitions ──────────────────────────────────────────────────────

const LEGAL_STATUS: Record<RequestStatus, readonly RequestStatus[]> = {
  pending: ["pending", "creating", "denied", "cancelled", "expired"],
  creating: ["creating", "created", "failed"],
  failed: ["failed", "creating"],
  // Only when the Reveal DM could not be sent (failDelivery): Retry sends it.
  created: ["created", "failed"],
  denied: ["denied"],
  cancelled: ["cancelled"],
  expired: ["expired"],
};
const LEGAL_REVEAL: Record<RevealState, readonly RevealState[]> = {
  none: ["none", "ready"],
  // Back to none only with failDelivery (created → failed before any DM existed).
  ready: ["ready", "minting", "none"],
  minting: ["minting", "revealed", "ready"],
  // Back to ready only when the revealed secret was never delivered (undoReveal).
  revealed: ["revealed", "ready"],
};

interface Write {
  op: Op;
  before: HybridClientRequest;
  after: HybridClientRequest;
  at: number;
}

/** Key-order independent text of a request as the store would read it back. */
function canonical(r: HybridClientRequest): string {
  const parsed = HybridClientRequest.parse(JSON.parse(JSON.stringify(r)));
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sorted(x)]),
          )
        : v;
  return JSON.stringify(sorted(parsed));
}

function newRequest(id: string, s: Scenario, now: number): HybridClientRequest {
  const own =
    s.kind === KIND.edit
      ? { edit: { before: { name: "a" }, after: { name: "b" } } }
      : s.kind === KIND.deleteClient
        ? { secretCount: 2 }
        : s.kind === KIND.deleteSecret
          ? { target: { secretId: 3, description: "", expiration: null, last: false } }
          : {};
  return HybridClientRequest.parse({
    ...own,
    id,
    kind: s.kind,
    status: "pending",
    requesterId: REQUESTER,
    reason: "property",
    clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    client: {
      name: `prop-${id}`,
      allowOfflineAccess: false,
      redirectUris: ["https://app.example.com/cb"],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "", expiration: null },
    reminderChannel: "C0GENERAL1",
    createdAt: now,
    expiresAt: now + TTL_MS,
    approvalsRequired: s.approvalsRequired,
    approvals: [],
    reveal: "none",
    updatedAt: now,
  });
}

let runCounter = 0;

/** Applies the scenario to a fresh request and returns every write that won, plus the end state. */
async function play(s: Scenario) {
  const id = `RPROP${process.pid}X${++runCounter}`;
  const approvers = new Set<string>([...APPROVERS, ...(s.requesterApproves ? [REQUESTER] : [])]);
  // A logical clock: every change sees a later time, so every write is distinguishable.
  let clock = 1_700_000_000_000 + runCounter * 10 * TTL_MS;
  const tick = () => ++clock;
  const initial = newRequest(id, s, clock);
  expect(await replicas[0]!.create(initial)).toBe(true);

  const writes: Write[] = [];
  const transition = (op: Exclude<Op, { kind: "tick" }>, r: HybridClientRequest, now: number) => {
    const error = { message: "ADH failed", status: 500, at: now };
    switch (op.kind) {
      case "approve":
        return machine.approve(r, op.actor, { allowSelfApproval: s.allowSelfApproval, now });
      case "deny":
        return machine.deny(r, op.actor, "no", now);
      case "cancel":
        return machine.cancel(r, op.actor, now);
      case "retry":
        return machine.retry(r, now);
      case "beginReveal":
        return machine.beginReveal(r, op.actor, now);
      case "expire":
        return machine.expire(r, op.late ? Math.max(now, r.expiresAt) : now);
      case "markCreated":
        // What the applier calls once ADH did the work: lifecycle kinds have nothing to reveal.
        return isLifecycleKind(r.kind) ? markApplied(r, now) : machine.markCreated(r, now);
      case "markFailed":
        return machine.markFailed(r, error, now);
      case "finishReveal":
        return machine.finishReveal(r, MINTED_ID, now);
      case "undoReveal":
        return machine.undoReveal(r, op.secretId, now);
      case "abortReveal":
        return machine.abortReveal(r, error, now);
      case "reclaimCreate":
        return machine.reclaimCreate(r, CREATE_LEASE_MS, now);
      case "attachDm":
        return machine.attachDm(r, { channel: "D0DM000001", ts: String(now) }, now);
      case "failDelivery":
        return machine.failDelivery(r, error, now);
      case "renewCreate":
        return machine.renewCreate(r, op.stale ? r.updatedAt - 1 : r.updatedAt, now);
    }
  };

  const run = async (op: Op) => {
    if (op.kind === "tick") {
      clock += op.ms;
      return;
    }
    // The workflow lets only approvers approve, deny or retry (before touching the store).
    const gated = op.kind === "approve" || op.kind === "deny" || op.kind === "retry";
    if (gated && !approvers.has(op.actor)) return;
    let seen: { before: HybridClientRequest; at: number } | undefined;
    const outcome = await replicas[op.replica]!.update(id, (r) => {
      const at = tick();
      seen = { before: r, at };
      const t = transition(op, r, at);
      return { next: t.next, result: t.refusal ?? null };
    });
    // The last run of the change is the one whose compare-and-set won.
    if (outcome.ok && seen) writes.push({ op, ...seen, after: outcome.request });
  };

  for (const batch of s.batches) await Promise.all(batch.map(run));
  const stored = await replicas[0]!.get(id);
  const redis = connections[0]!;
  const indexes = {
    userOpen: (await redis.sismember(`req:user:${REQUESTER}`, id)) === 1,
    expiryTimer: (await redis.zscore("req:timers:expiry", id)) !== null,
    creating: (await redis.sismember("req:creating", id)) === 1,
  };
  // Later runs must not find this request in the shared indexes.
  await Promise.all([
    redis.zrem("req:timers:expiry", id),
    redis.srem("req:creating", id),
    redis.srem(`req:user:${REQUESTER}`, id),
  ]);
  return { initial, writes, stored, indexes, approvers };
}

/** The winning writes in the order they were stored: each starts from the one before. */
function chainOf(initial: HybridClientRequest, writes: Write[]): Write[] {
  const byBefore = new Map<string, Write[]>();
  for (const w of writes) {
    const key = canonical(w.before);
    byBefore.set(key, [...(byBefore.get(key) ?? []), w]);
  }
  const chain: Write[] = [];
  let current = canonical(initial);
  for (;;) {
    const next = byBefore.get(current) ?? [];
    // Two winners from the same state would be a lost update.
    expect(next.length, "two writes won from the same stored state").toBeLessThanOrEqual(1);
    if (next.length === 0) break;
    chain.push(next[0]!);
    current = canonical(next[0]!.after);
  }
  expect(chain.length, "every winning write is part of one chain").toBe(writes.length);
  return chain;
}

function checkWrite(w: Write, s: Scenario, approvers: Set<string>): void {
  const { before, after, op } = w;
  expect(LEGAL_STATUS[before.status], `${op.kind}: ${before.status} → ${after.status}`).toContain(
    after.status,
  );
  expect(
    LEGAL_REVEAL[before.reveal],
    `${op.kind}: reveal ${before.reveal} → ${after.reveal}`,
  ).toContain(after.reveal);
  if (after.reveal !== "none") expect(after.status).toBe("created");
  if (before.reveal === "none" && after.reveal === "ready") {
    expect([before.status, after.status]).toEqual(["creating", "created"]);
  }
  const ids = after.approvals.map((a) => a.userId);
  expect(new Set(ids).size, "approvals are distinct people").toBe(ids.length);
  for (const userId of ids) expect(approvers.has(userId), `${userId} may approve`).toBe(true);
  if (!s.allowSelfApproval) expect(ids).not.toContain(after.requesterId);
  expect(ids.length).toBeLessThanOrEqual(after.approvalsRequired);
  if (after.status === "creating" || after.status === "created" || after.status === "failed") {
    expect(ids.length, "decided by enough approvers").toBe(after.approvalsRequired);
  }
  if (op.kind === "approve") {
    expect(ids).toEqual([...before.approvals.map((a) => a.userId), op.actor]);
  } else {
    expect(after.approvals).toEqual(before.approvals);
  }
  if (op.kind === "beginReveal") {
    expect(op.actor, "only the requester reveals").toBe(before.requesterId);
    const stale = before.reveal === "minting" && w.at - before.updatedAt > machine.MINT_LEASE_MS;
    expect(before.reveal === "ready" || stale, "a running mint is never claimed twice").toBe(true);
  }
  if (before.reveal === "revealed" && after.reveal !== "revealed") {
    expect(op.kind, "only an undelivered reveal is undone").toBe("undoReveal");
    expect(op.kind === "undoReveal" && op.secretId).toBe(before.revealedSecretId);
  }
  if (after.reveal === "revealed") expect(after.revealedSecretId).toBe(MINTED_ID);
  if (op.kind === "reclaimCreate") {
    expect(w.at - before.updatedAt).toBeGreaterThanOrEqual(CREATE_LEASE_MS);
  }
  if (before.status === "created" && after.status === "failed") {
    expect(op.kind, "a created request fails only when its DM could not be sent").toBe(
      "failDelivery",
    );
    expect(before.dm ?? null).toBeNull();
  }
  if (op.kind === "renewCreate") {
    expect(op.stale, "a create whose lease was taken over cannot renew it").toBe(false);
    expect([before.status, after.status]).toEqual(["creating", "creating"]);
    expect(after.updatedAt).toBeGreaterThan(before.updatedAt);
  }
  if (op.kind === "cancel") expect(op.actor).toBe(before.requesterId);
  if (op.kind === "deny") expect(after.denial?.userId).toBe(op.actor);
}

describe("the Redis state machine under concurrent clicks on three replicas", () => {
  it("writes only legal transitions, loses no update, creates once per round and reveals once", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { initial, writes, stored, indexes, approvers } = await play(s);
        const chain = chainOf(initial, writes);
        expect(stored).not.toBeNull();
        expect(stored!.version, "one version per winning write").toBe(1 + writes.length);
        expect(canonical(stored!.request)).toBe(canonical(chain.at(-1)?.after ?? initial));

        for (const w of chain) checkWrite(w, s, approvers);
        if (isLifecycleKind(s.kind)) {
          // Nothing to reveal: the reveal machine never starts, and each round applies once.
          for (const w of chain) expect(w.after.reveal).toBe("none");
          const applied = chain.filter(
            (w) => w.before.status === "creating" && w.after.status === "created",
          );
          const retries = chain.filter(
            (w) => w.before.status === "failed" && w.after.status === "creating",
          );
          expect(applied.length).toBeLessThanOrEqual(1 + retries.length);
        }

        const moves = chain.map((w) => `${w.before.status}>${w.after.status}`);
        const count = (m: string) => moves.filter((x) => x === m).length;
        expect(count("pending>creating"), "one final approval").toBeLessThanOrEqual(1);
        // A failure is a create that failed, or a created request whose DM could not be sent.
        expect(count("failed>creating"), "a retry only after a failure").toBeLessThanOrEqual(
          count("creating>failed") + count("created>failed"),
        );

        // One secret revealed at a time: a second only after the first was undone (deleted).
        const reveals = chain.map((w) => `${w.before.reveal}>${w.after.reveal}`);
        expect(reveals.filter((m) => m === "minting>revealed").length).toBeLessThanOrEqual(
          1 + reveals.filter((m) => m === "revealed>ready").length,
        );
        // Between two winning claims there is a finish or an abort, unless the first mint went stale.
        let mintOpen: Write | null = null;
        for (const w of chain) {
          if (w.op.kind === "beginReveal") {
            if (mintOpen) {
              expect(w.at - w.before.updatedAt).toBeGreaterThan(machine.MINT_LEASE_MS);
            }
            mintOpen = w;
          }
          if (w.before.reveal === "minting" && w.after.reveal !== "minting") mintOpen = null;
        }

        const status = stored!.request.status;
        expect(indexes.userOpen, `open-requests index for ${status}`).toBe(
          OPEN_STATUSES.includes(status),
        );
        expect(indexes.expiryTimer, `expiry index for ${status}`).toBe(status === "pending");
        expect(indexes.creating, `creating index for ${status}`).toBe(status === "creating");
      }),
      { numRuns: 100 },
    );
  }, 30_000);
});
