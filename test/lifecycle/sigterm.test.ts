// SIGTERM while an approval is in flight, against the bot as a real process: it finishes
// what it can within its budget, exits 0, and whatever it could not finish is left in a
// state the next start completes — with exactly one client in ADH.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVEAL } from "../../src/slack/ids.js";
import { RequestStore } from "../../src/store/request-store.js";
import type { RecordedCall } from "../fakes/slack.js";
import {
  approve,
  type Harness,
  requestIdOf,
  startHarness,
  submitRequest,
  USERS,
  until,
  waitForRevealDm,
} from "../support/harness.js";
import { testRedis } from "../support/redis.js";
import { type BotProcess, botEnvFor, driverFor, type Exit, spawnBot } from "./process.js";

const EXIT_BUDGET_MS = 10_000;

let h: Harness;
const children: BotProcess[] = [];
beforeAll(async () => {
  // The harness seeds the fakes and owns the key prefix; the bot under test is a child
  // process, so the harness's own in-process bot is stopped at once.
  h = await startHarness();
  await h.bot.stop();
});
afterAll(async () => {
  await Promise.allSettled(children.map((c) => c.kill()));
  await h?.close();
});

async function startChild(): Promise<BotProcess> {
  const child = await spawnBot(await botEnvFor(h));
  children.push(child);
  return child;
}

const clientsNamed = (name: string) => h.adh.clients().filter((c) => c.Name === name);

async function storedStatus(requestId: string): Promise<string | undefined> {
  const redis = testRedis(h.prefix);
  try {
    return (await new RequestStore(redis).get(requestId))?.request.status;
  } finally {
    redis.disconnect();
  }
}

/** Submits and approves through the child; resolves once ADH has the create call in hand. */
async function approveWhileCreateHangs(child: BotProcess, name: string): Promise<RecordedCall> {
  const driver = driverFor(child, h);
  const approval = await submitRequest({ slack: h.slack, driver }, USERS.requester, {
    client: { name },
  });
  const creates = h.adh.callsTo("POST /HybridClients").length;
  const click = await approve({ driver }, USERS.approver1, approval);
  expect(click.status).toBe(200);
  await until(() => h.adh.callsTo("POST /HybridClients").length > creates, 5_000, "a create call");
  return approval;
}

/** SIGTERM, then how it exited and how long that took. */
async function terminate(child: BotProcess): Promise<Exit & { ms: number }> {
  const started = performance.now();
  child.signal("SIGTERM");
  const exit = await child.exited;
  return { ...exit, ms: performance.now() - started };
}

/** "Client created" DMs with a Reveal button for this request that Slack accepted. */
const revealDmsFor = (approval: RecordedCall) =>
  h.slack.callsTo("chat.postMessage").filter((c) => {
    const blocks = JSON.stringify(c.args.blocks ?? []);
    return (
      c.status === 200 &&
      c.args.channel === USERS.requester &&
      blocks.includes(REVEAL) &&
      blocks.includes(requestIdOf(approval))
    );
  });

describe("SIGTERM while ADH takes 6 s to create the approved client", () => {
  it("finishes the create, sends the Reveal DM, exits 0 within 10 s; the next start finds it done", async () => {
    const child = await startChild();
    // Slow but within the shutdown budget: the bot should wait for it, not abandon it.
    h.adh.inject("POST /HybridClients", { delayMs: 6_000 });
    const approval = await approveWhileCreateHangs(child, "sigterm-app");

    const exit = await terminate(child);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(EXIT_BUDGET_MS);
    expect(child.lines.join("\n")).toMatch(/hybrid-client-bot stopped/);
    // In-flight work was finished, not dropped: the DM went out before the exit.
    await waitForRevealDm(h, approval, USERS.requester, 1);
    expect(await storedStatus(requestIdOf(approval))).toBe("created");

    const next = await startChild();
    expect(clientsNamed("sigterm-app")).toHaveLength(1);
    expect(revealDmsFor(approval)).toHaveLength(1);
    expect((await terminate(next)).code).toBe(0);
  }, 30_000);
});

describe("SIGTERM while ADH hangs longer than the shutdown budget", () => {
  let approval: RecordedCall;
  let exit: Exit & { ms: number };
  let child: BotProcess;

  beforeAll(async () => {
    child = await startChild();
    // Every attempt hangs: the first until the client's 10 s headersTimeout, then its retry.
    h.adh.inject("POST /HybridClients", { delayMs: 15_000, times: 2 });
    approval = await approveWhileCreateHangs(child, "hung-create-app");
    // The signal comes 2 s into the create (a deliberate wait: the timing is the scenario),
    // so a retry attempt is on the wire when the drain gives up.
    await sleep(2_000);
    exit = await terminate(child);
    h.adh.clearFaults();
  }, 40_000);

  it("leaves the request `creating` (not failed) and the next start completes it: one client", async () => {
    expect(exit.signal).toBeNull();
    expect(await storedStatus(requestIdOf(approval))).toBe("creating");
    expect(child.lines.join("\n")).not.toMatch(/"msg":"create failed"/);
    // The next start is a new process on the same prefix; a zero lease lets it take the
    // create over at once instead of after the default 60 s.
    const next = await spawnBot(await botEnvFor(h, { CREATE_LEASE_SECONDS: "0" }));
    try {
      await waitForRevealDm(h, approval, USERS.requester, 15_000);
    } finally {
      await terminate(next);
    }
    expect(clientsNamed("hung-create-app")).toHaveLength(1);
    expect(revealDmsFor(approval)).toHaveLength(1);
  }, 30_000);

  // The shutdown budget covers closing too: drain gets what is left after a reserve.
  it("exits 0 within 10 s", () => {
    expect({ code: exit.code, withinBudget: exit.ms < EXIT_BUDGET_MS }).toEqual({
      code: 0,
      withinBudget: true,
    });
  });
});
