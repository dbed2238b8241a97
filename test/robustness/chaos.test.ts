// Chaos across replicas: two bot instances share a private redis-server (append-only, so a
// restart loses nothing); 200 request → approve → reveal flows run 20 at a time while the
// fake ADH fails 10 % of calls, the fake Slack answers 5 % with 429, and Redis is
// restarted once in the middle. Then the faults stop, people do what the bot told them
// (click Approve again, Retry, Reveal again) and everything must have come out right:
// every request finished or visibly retryable, one client per approved request, one
// secret per reveal, no secret anywhere it must not be, both instances ready.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bot } from "../../src/bot.js";
import { HybridClientRequest, TERMINAL_STATUSES } from "../../src/requests/model.js";
import type { RequestWorkflow } from "../../src/requests/workflow.js";
import { APPROVE, RETRY, REVEAL } from "../../src/slack/ids.js";
import { closeRedis, createRedis, type Redis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import {
  APPROVAL_CHANNEL,
  type Harness,
  leakSearch,
  startHarness,
  USERS,
} from "../support/harness.js";
import { type PrivateRedis, startRedisServer } from "../support/redis-server.js";
import type { SlackDriver } from "../support/slack-driver.js";

const FLOWS = 200;
const CONCURRENCY = 20;
/** When this many flows have started, Redis is stopped and started again. */
const RESTART_AT = 100;
/** How long Redis stays down: long enough that commands fail, not just wait in a queue. */
const OUTAGE_MS = 1_500;
const SETTLE_ROUNDS = 6;
/** Longest wait for a click's answer: a 429 pauses a Web API client for a second per retry. */
const ANSWER_MS = 30_000;

let redisServer: PrivateRedis;
let h: Harness;
let replica: { bot: Bot; driver: SlackDriver };
let observer: Redis;
let store: RequestStore;
/** The bots' clock: moved forward after the chaos so leases run out, as time would. */
const clock = { offset: 0 };

beforeAll(async () => {
  redisServer = await startRedisServer(["--appendonly", "yes"]);
  h = await startHarness({
    env: { REDIS_URL: redisServer.url, APPROVALS_REQUIRED: "2" },
    bot: { now: () => Date.now() + clock.offset },
  });
  replica = await h.startReplica();
  observer = createRedis({ url: redisServer.url, keyPrefix: h.prefix });
  // It rides out the restart like the bots do; a reset connection is expected then.
  observer.on("error", () => undefined);
  store = new RequestStore(observer);
}, 30_000);

afterAll(async () => {
  if (observer) await closeRedis(observer);
  await h?.close();
  await redisServer?.close();
}, 30_000);

// ── what people do ──────────────────────────────────────────────────────────────

interface Flow {
  index: number;
  name: string;
  /** Every request submitted for this flow (a failed submit may leave one behind). */
  requestIds: string[];
  submitAttempts: number;
  approveClicks: number;
  retryClicks: number;
  /** response_url of every Reveal click: what the requester was shown comes back there. */
  revealUrls: string[];
  revealedInMainPhase: boolean;
}

const instances = () => [
  { workflow: h.bot.workflow, driver: h.driver },
  { workflow: replica.bot.workflow, driver: replica.driver },
];

async function read(id: string): Promise<HybridClientRequest | null> {
  try {
    return (await store.get(id))?.request ?? null;
  } catch {
    // Redis is restarting: the observer just looks again.
    return null;
  }
}

/** Polls the stored request until `done` holds or the time is up; the last state read. */
async function waitFor(
  id: string,
  done: (r: HybridClientRequest) => boolean,
  timeoutMs: number,
): Promise<HybridClientRequest | null> {
  const deadline = Date.now() + timeoutMs;
  let last: HybridClientRequest | null = null;
  for (;;) {
    last = (await read(id)) ?? last;
    if ((last && done(last)) || Date.now() > deadline) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The blocks of a recorded call as text, computed once per call (the flows poll a lot). */
const blockTexts = new WeakMap<object, string>();
function blocksOf(call: { args: Record<string, unknown> }): string {
  let text = blockTexts.get(call);
  if (text === undefined) {
    text = JSON.stringify(call.args.blocks ?? []);
    blockTexts.set(call, text);
  }
  return text;
}

/** The approvals message of a request (or the latest one for a name), if it was posted. */
function approvalMessageFor(name: string, id?: string): { id: string; ts: string } | null {
  let found: { id: string; ts: string } | null = null;
  for (const call of h.slack.callsTo("chat.postMessage")) {
    if (call.args.channel !== APPROVAL_CHANNEL || !call.response.ok) continue;
    const blocks = blocksOf(call);
    if (!blocks.includes(name) || (id !== undefined && !blocks.includes(id))) continue;
    const carried = blocks.match(/"value":"(R[0-9A-F]+)"/)?.[1];
    if (carried) found = { id: carried, ts: String(call.response.ts) };
  }
  return found;
}

/** The "Client created" DM of a request, found on the fake Slack. */
function createdDmOf(id: string): string | null {
  for (const call of h.slack.callsTo("chat.postMessage")) {
    if (call.args.channel !== USERS.requester || !call.response.ok) continue;
    const blocks = blocksOf(call);
    if (blocks.includes(REVEAL) && blocks.includes(id)) return String(call.response.ts);
  }
  return null;
}

function draftFor(name: string) {
  return {
    kind: "new-client" as const,
    requesterId: USERS.requester,
    reason: "chaos",
    client: {
      name,
      allowOfflineAccess: false,
      redirectUris: [`https://${name}.example.com/cb`],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: `${name} secret`, expiration: null },
    reminderChannel: "C0GENERAL1",
  };
}

/** Submits straight into the workflow (200 modals add nothing here); tries again like a user. */
async function submit(flow: Flow, workflow: RequestWorkflow): Promise<string | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    flow.submitAttempts++;
    const out = await workflow.submit(draftFor(flow.name)).catch(() => null);
    if (out?.ok) {
      flow.requestIds.push(out.request.id);
      return out.request.id;
    }
    // The approvals message may be out although the submit failed: approvers act on it.
    const posted = approvalMessageFor(flow.name);
    if (posted && !flow.requestIds.includes(posted.id)) flow.requestIds.push(posted.id);
    if (posted && (await read(posted.id))?.status === "pending") return posted.id;
  }
  return null;
}

/** Clicks acknowledged by a bot: each one's listener still works after the ack. */
let clicksAcked = 0;

/** A signed button click on one of the instances; null when it was not acknowledged. */
async function click(
  via: number,
  user: string,
  action: Parameters<SlackDriver["clickButton"]>[1],
  where: Parameters<SlackDriver["clickButton"]>[2],
) {
  const answer = await instances()
    [via % 2]!.driver.clickButton(user, action, where)
    .catch(() => null);
  if (answer?.status !== 200) return null;
  clicksAcked++;
  return answer;
}

/** Each approver still missing clicks Approve, on alternating instances. */
async function approveAll(flow: Flow, id: string, first: number): Promise<void> {
  const posted = approvalMessageFor(flow.name, id);
  const current = await read(id);
  if (!posted || current?.status !== "pending") return;
  const missing = [USERS.approver1, USERS.approver2].filter(
    (u) => !current.approvals.some((a) => a.userId === u),
  );
  await Promise.all(
    missing.map((user, i) => {
      flow.approveClicks++;
      return click(
        first + i,
        user,
        { actionId: APPROVE, value: id, blockId: "actions" },
        { channel: APPROVAL_CHANNEL, messageTs: posted.ts },
      );
    }),
  );
}

async function clickRetry(flow: Flow, id: string, via: number): Promise<void> {
  const posted = approvalMessageFor(flow.name, id);
  if (!posted) return;
  flow.retryClicks++;
  await click(
    via,
    USERS.approver1,
    { actionId: RETRY, value: id, blockId: "actions" },
    { channel: APPROVAL_CHANNEL, messageTs: posted.ts },
  );
}

/** Secret values shown on these click answers. */
function secretsShownOn(urls: string[]): string[] {
  const text = JSON.stringify(h.slack.responses.filter((r) => urls.includes(r.url)));
  return h.adh.issuedSecrets.filter((s) => text.includes(s));
}

/** The requester clicks Reveal in the DM; true once the answer shows a secret. */
async function clickReveal(flow: Flow, id: string, via: number): Promise<boolean> {
  const ts = createdDmOf(id);
  if (!ts) return false;
  const clicked = await click(
    via,
    USERS.requester,
    { actionId: REVEAL, value: id, blockId: "reveal" },
    { channel: USERS.requester, messageTs: ts },
  );
  if (!clicked) return false;
  flow.revealUrls.push(clicked.responseUrl);
  await h.slack.waitForResponse((r) => r.url === clicked.responseUrl, ANSWER_MS).catch(() => null);
  return secretsShownOn([clicked.responseUrl]).length > 0;
}

const decided = (r: HybridClientRequest) =>
  r.status !== "pending" &&
  r.status !== "creating" &&
  (r.status !== "created" || createdDmOf(r.id) !== null);

async function runFlow(flow: Flow): Promise<void> {
  const via = flow.index % 2;
  const id = await submit(flow, instances()[via]!.workflow);
  if (!id) return;
  // Two approvers on two instances; an approval lost to the chaos is clicked again.
  for (let round = 0; round < 3; round++) {
    await approveAll(flow, id, via + round);
    if ((await waitFor(id, (r) => r.status !== "pending", 5_000))?.status !== "pending") break;
  }
  if ((await waitFor(id, decided, 30_000))?.status !== "created") return;
  flow.revealedInMainPhase = await clickReveal(flow, id, via + 1);
}

/** Runs `work` over `items`, `limit` at a time, in order. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Background work of a workflow (a create runs after the click that decided it). */
const busy = (workflow: RequestWorkflow) => workflow.busy;

/** Clicks whose listener has finished, on both instances (Bolt middleware counts them). */
async function clicksDone(): Promise<number> {
  let done = 0;
  for (const bot of [h.bot, replica.bot]) {
    const { values } = await bot.metrics.slackRequests.get();
    for (const v of values) if (v.labels.kind === "action") done += v.value;
  }
  return done;
}

/**
 * Until every click's listener has finished, then every create it started and every ADH
 * call: only then may the clock jump, or a create still on its way would be taken over.
 */
async function quiet(): Promise<void> {
  const deadline = Date.now() + ANSWER_MS;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  while ((await clicksDone()) < clicksAcked && Date.now() < deadline) await pause();
  while (busy(h.bot.workflow) + busy(replica.bot.workflow) > 0 && Date.now() < deadline) {
    await pause();
  }
  await h.adh.idle();
}

// ── what is stored and shown at the end ─────────────────────────────────────────

async function scanPrivateRedis(match: string, visit: (raw: Redis, key: string) => Promise<void>) {
  const raw = createRedis({ url: redisServer.url, keyPrefix: "" });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await raw.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      for (const key of keys) await visit(raw, key);
    } while (cursor !== "0");
  } finally {
    raw.disconnect();
  }
}

async function allRequests(): Promise<HybridClientRequest[]> {
  const out: HybridClientRequest[] = [];
  await scanPrivateRedis(`${h.prefix}req:R*`, async (raw, key) => {
    if ((await raw.type(key)) !== "hash") return;
    const json = await raw.hget(key, "json");
    if (json) out.push(HybridClientRequest.parse(JSON.parse(json)));
  });
  return out;
}

/** dumpKeys of test/support/redis.ts, against the private server (every key in it). */
async function dumpPrivateRedis(): Promise<string> {
  const parts: string[] = [];
  await scanPrivateRedis("*", async (raw, key) => {
    const type = await raw.type(key);
    let value: unknown;
    if (type === "string") value = await raw.get(key);
    else if (type === "hash") value = await raw.hgetall(key);
    else if (type === "set") value = await raw.smembers(key);
    else if (type === "zset") value = await raw.zrange(key, 0, -1, "WITHSCORES");
    else if (type === "list") value = await raw.lrange(key, 0, -1);
    else value = `<${type}>`;
    parts.push(`${key} ${JSON.stringify(value)}`);
  });
  return parts.join("\n");
}

async function readyz(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, {
    signal: AbortSignal.timeout(5_000),
  });
  await res.body?.cancel();
  return res.status;
}

/** What the approvals message says last, per status (its fallback text ends with it). */
const STATUS_WORD: Record<HybridClientRequest["status"], string> = {
  pending: "waiting for approval",
  creating: "approved, creating",
  created: "approved and created",
  failed: "approved, creation failed",
  denied: "denied",
  cancelled: "cancelled",
  expired: "expired",
};

// ── the run ─────────────────────────────────────────────────────────────────────

describe("chaos across two replicas", () => {
  it("200 flows under ADH faults, Slack 429s and a Redis restart all come out right", async () => {
    const started = performance.now();
    const flows: Flow[] = Array.from({ length: FLOWS }, (_, index) => ({
      index,
      name: `chaos-${String(index).padStart(3, "0")}-${Math.random().toString(36).slice(2, 6)}`,
      requestIds: [],
      submitAttempts: 0,
      approveClicks: 0,
      retryClicks: 0,
      revealUrls: [],
      revealedInMainPhase: false,
    }));

    h.adh.setRandomFaults({ rate: 0.1, kinds: ["500", "429", "timeout", "apply-then-fail"] });
    h.slack.setRandom429(0.05);
    let begun = 0;
    let restart: Promise<number> | undefined;
    await pool(flows, CONCURRENCY, async (flow) => {
      if (++begun === RESTART_AT) {
        restart = (async () => {
          const down = performance.now();
          await redisServer.stop();
          await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
          await redisServer.start();
          return performance.now() - down;
        })();
      }
      await runFlow(flow);
    });
    const outageMs = (await restart) ?? 0;
    const mainPhaseMs = performance.now() - started;

    // The chaos ends; what was left half-done must now be finished by people and timers.
    h.adh.setRandomFaults(null);
    h.slack.setRandom429(0);
    await quiet();
    // Time passes: the leases of creates and mints that the restart cut short run out, and
    // each instance's reconciliation timer (every 200 ms) finishes those creates.
    clock.offset += 10 * 60_000;
    let rounds = 0;
    for (; rounds < SETTLE_ROUNDS; rounds++) {
      const clicks: Promise<unknown>[] = [];
      for (const flow of flows) {
        if (flow.requestIds.length === 0) clicks.push(runFlow(flow));
        const mine = await Promise.all(flow.requestIds.map(read));
        // A request the requester submitted again after a failed submit is not approved twice.
        const approvedOne = mine.some((r) => r && r.approvals.length >= r.approvalsRequired);
        for (const r of mine) {
          if (!r) continue;
          const id = r.id;
          if (r.status === "pending" && !approvedOne) clicks.push(approveAll(flow, id, rounds));
          if (r.status === "failed") clicks.push(clickRetry(flow, id, rounds));
          if (r.status === "created" && r.reveal !== "revealed") {
            clicks.push(clickReveal(flow, id, rounds));
          }
        }
      }
      const creating = (await allRequests()).filter((r) => r.status === "creating");
      if (clicks.length === 0 && creating.length === 0) break;
      await Promise.all(clicks);
      for (const r of creating) await waitFor(r.id, (x) => x.status !== "creating", 10_000);
      await quiet();
    }
    // Requests nobody can see (their approvals message never went out) or that were
    // submitted twice wait for the expiry timer: a day later they must have expired.
    const waiting = (await allRequests()).filter((r) => r.status === "pending");
    if (waiting.length > 0) {
      clock.offset += 25 * 3_600_000;
      for (const r of waiting) await waitFor(r.id, (x) => x.status !== "pending", 10_000);
    }
    const totalMs = performance.now() - started;

    // ── every request finished, or visibly retryable ──
    const requests = await allRequests();
    const approvalsShown = new Map(h.slack.messages(APPROVAL_CHANNEL).map((m) => [m.ts, m]));
    const shownFor = (r: HybridClientRequest) => {
      const ts = r.approvalMessage?.ts ?? approvalMessageFor(r.client.name, r.id)?.ts;
      return ts ? approvalsShown.get(ts) : undefined;
    };
    const problems: string[] = [];
    // The append-only file kept every request across the restart.
    const stored = new Set(requests.map((r) => r.id));
    for (const id of flows.flatMap((f) => f.requestIds)) {
      if (!stored.has(id)) problems.push(`${id} lost`);
    }
    // Counted and reported; each has its own deterministic test in
    // workflow-replicas.property.test.ts, and chaos shows 0 of each, alone and beside the
    // other suites. The small allowance is for the one case no client can rule out: a call
    // that times out on our side under CPU starvation and is still applied afterwards.
    //   createdWithoutDm: the "created" DM failed after markCreated (Reveal never offered)
    //   staleApprovalMessages: an older approvals-message update landed last
    //   orphanSecretsInAdh: a mint ADH applied before failing stays live, unseen
    const known = { createdWithoutDm: 0, staleApprovalMessages: 0 };
    const staleDetails: string[] = [];
    for (const r of requests) {
      const what = `${r.id} (${r.client.name})`;
      if (r.status === "failed") {
        if (!JSON.stringify(shownFor(r)?.blocks ?? []).includes(RETRY)) {
          problems.push(`${what} failed without a Retry button`);
        }
      } else if (!TERMINAL_STATUSES.includes(r.status)) {
        problems.push(`${what} left ${r.status}`);
      }
      if (r.status === "created" && r.reveal !== "revealed") {
        if (createdDmOf(r.id) === null) known.createdWithoutDm++;
        else problems.push(`${what} created, DM sent, but reveal ${r.reveal}`);
      }
      const shown = shownFor(r);
      if (shown && !String(shown.text).endsWith(STATUS_WORD[r.status])) {
        known.staleApprovalMessages++;
        staleDetails.push(
          `${r.id} ${r.status} shows "${String(shown.text).slice(-40)}" cancelled=${r.cancelledAt ?? "-"} ref=${r.approvalMessage ? "y" : "n"}`,
        );
      }
    }

    // ── one client per approved request, one secret per reveal ──
    const byName = new Map<string, HybridClientRequest[]>();
    for (const r of requests) byName.set(r.client.name, [...(byName.get(r.client.name) ?? []), r]);
    let orphanSecrets = 0;
    for (const flow of flows) {
      const mine = byName.get(flow.name) ?? [];
      const approved = mine.filter((r) => r.approvals.length >= r.approvalsRequired);
      const clients = h.adh.clients().filter((c) => c.Name === flow.name);
      if (approved.length > 1) problems.push(`${flow.name}: ${approved.length} approved requests`);
      if (approved.some((r) => r.status === "created") && clients.length !== 1) {
        problems.push(`${flow.name}: ${clients.length} clients for one approved request`);
      }
      if (approved.length === 0 && clients.length > 0) {
        problems.push(`${flow.name}: a client without an approved request`);
      }
      const shown = new Set(secretsShownOn(flow.revealUrls));
      const revealed = mine.filter((r) => r.reveal === "revealed");
      if (shown.size !== revealed.length) {
        problems.push(`${flow.name}: ${shown.size} secrets shown for ${revealed.length} reveals`);
      }
      for (const r of revealed) {
        if (![...shown].some((s) => h.adh.secretWorks(r.clientId, s))) {
          problems.push(`${flow.name}: the secret shown does not work`);
        }
        orphanSecrets += Math.max(0, h.adh.secretsOf(r.clientId).length - 1);
      }
    }

    // ── no secret where it must not be; both instances ready ──
    const leaks = await leakSearch(h);
    const dump = await dumpPrivateRedis();
    for (const secret of h.adh.issuedSecrets) {
      if (dump.includes(secret)) leaks.push(`Redis contains secret ${secret.slice(0, 4)}…`);
    }
    const ready = [await readyz(h.bot.opsPort), await readyz(replica.bot.opsPort)];

    const sum = (pick: (f: Flow) => number) => flows.reduce((n, f) => n + pick(f), 0);
    const report = {
      flows: FLOWS,
      revealedInMainPhase: flows.filter((f) => f.revealedInMainPhase).length,
      requestsStored: requests.length,
      created: requests.filter((r) => r.status === "created").length,
      revealed: requests.filter((r) => r.reveal === "revealed").length,
      failedLeft: requests.filter((r) => r.status === "failed").length,
      cancelled: requests.filter((r) => r.status === "cancelled").length,
      expired: requests.filter((r) => r.status === "expired").length,
      submitAttempts: sum((f) => f.submitAttempts),
      approveClicks: sum((f) => f.approveClicks),
      retryClicks: sum((f) => f.retryClicks),
      revealClicks: sum((f) => f.revealUrls.length),
      settleRounds: rounds,
      reclaimedCreates: h.logs.filter((l) => l.includes("reconciling a create left in progress"))
        .length,
      adhCalls: h.adh.calls.length,
      adhFaults: h.adh.calls.filter((c) => c.status >= 400 && ![404, 409].includes(c.status))
        .length,
      slackCalls: h.slack.calls.length,
      slack429: h.slack.calls.filter((c) => c.status === 429).length,
      orphanSecretsInAdh: orphanSecrets,
      ...known,
      redisOutageMs: Math.round(outageMs),
      mainPhaseMs: Math.round(mainPhaseMs),
      totalMs: Math.round(totalMs),
    };
    console.log(`chaos report ${JSON.stringify(report)}`);
    console.log(`stale ${JSON.stringify(staleDetails, null, 1)}`);

    expect(problems).toEqual([]);
    expect(known.createdWithoutDm).toBe(0);
    expect(known.staleApprovalMessages).toBeLessThanOrEqual(2);
    expect(orphanSecrets).toBeLessThanOrEqual(2);
    expect(leaks).toEqual([]);
    expect(ready).toEqual([200, 200]);
    // Every flow ends revealed, except any stranded by the known created-DM bug.
    expect(report.revealed + known.createdWithoutDm).toBe(FLOWS);
  }, 85_000);
});
