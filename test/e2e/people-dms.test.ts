// The requester hears every outcome by DM, all of one request's DMs in one thread whose
// root is the receipt.
import { describe, expect, it } from "vitest";
import { RETRY } from "../../src/slack/ids.js";
import {
  APPROVAL_CHANNEL,
  approve,
  messageTs,
  requestIdOf,
  submitRequest,
  USERS,
  until,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

let clock = Date.now();
const h = useHarness({ bot: { now: () => clock } });

/** Every DM to the requester that mentions this request's client name, in order. */
function dmsAbout(name: string) {
  return h.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === USERS.requester || String(c.args.channel).startsWith("D"))
    .filter((c) => JSON.stringify(c.args).includes(name));
}

/** Submits, then waits for the receipt: the thread's root goes out just after the approvals message. */
async function submitNamed(name: string) {
  const approval = await submitRequest(h, USERS.requester, { client: { name } });
  await until(() => dmsAbout(name).length === 1, 5_000, `the receipt of ${name}`);
  return approval;
}

/** The receipt is the root; every later DM is a reply under it. */
function expectOneThread(name: string, count: number) {
  const dms = dmsAbout(name);
  expect(dms).toHaveLength(count);
  const [root, ...replies] = dms;
  expect(root?.args.thread_ts).toBeUndefined();
  for (const reply of replies) {
    expect(reply.args.thread_ts).toBe(root?.response.ts);
    expect(reply.args.channel).toBe(USERS.requester);
  }
  return dms.map((d) => String(d.args.text));
}

describe("the requester's DM thread", () => {
  it("approved, then created, in the receipt's thread", async () => {
    const approval = await submitNamed("dm-approved");
    await approve(h, USERS.approver1, approval);
    await waitForRevealDm(h, approval);
    await until(() => dmsAbout("dm-approved").length === 3, 5_000, "three DMs");
    const texts = expectOneThread("dm-approved", 3);
    expect(texts[1]).toMatch(/was approved by/);
    const created = dmsAbout("dm-approved")[2];
    expect(String(created?.args.reply_broadcast)).toBe("true");
  });

  it("denied with the reason, and cancelled, each in its own request's thread", async () => {
    const denied = await submitNamed("dm-denied");
    const cancelled = await submitNamed("dm-cancel");
    await h.bot.workflow.deny(requestIdOf(denied), USERS.approver1, "Reuse inventory-app");
    await h.bot.workflow.cancel(requestIdOf(cancelled), USERS.requester);
    await until(() => dmsAbout("dm-denied").length === 2, 5_000, "the denial DM");
    await until(() => dmsAbout("dm-cancel").length === 2, 5_000, "the cancel DM");
    expect(expectOneThread("dm-denied", 2)[1]).toMatch(
      /denied by <@U0APPROVE1>: Reuse inventory-app/,
    );
    expect(expectOneThread("dm-cancel", 2)[1]).toMatch(/You cancelled/);
  });

  it("expired, in the thread", async () => {
    clock = Date.now();
    await submitNamed("dm-expired");
    clock += 25 * 3_600_000;
    await h.bot.workflow.expireDue();
    await until(() => dmsAbout("dm-expired").length === 2, 5_000, "the expiry DM");
    expect(expectOneThread("dm-expired", 2)[1]).toMatch(/expired/);
    clock = Date.now();
  });

  it("failed, then retried, then created, in the thread", async () => {
    h.adh.inject("POST /HybridClients", { status: 400, times: 1 });
    const approval = await submitNamed("dm-failed");
    await approve(h, USERS.approver1, approval);
    await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(approval) && JSON.stringify(c.args.blocks).includes(RETRY),
      30_000,
    );
    h.adh.clearFaults();
    await h.driver.clickButton(
      USERS.approver2,
      { actionId: RETRY },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    await waitForRevealDm(h, approval);
    await until(() => dmsAbout("dm-failed").length === 5, 5_000, "five DMs");
    const texts = expectOneThread("dm-failed", 5);
    expect(texts[1]).toMatch(/was approved by/);
    expect(texts[2]).toMatch(/approved, but/);
    expect(texts[3]).toMatch(/tried again/);
  }, 40_000);
});
