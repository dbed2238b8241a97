// Approver reminders, escalation and vote history against the real bot, with the bot's
// clock under the test's control: time jumps by hours without waiting for them.
import { describe, expect, it } from "vitest";
import type { Bot } from "../../src/bot.js";
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

const ESCALATOR = "U0ESCALATE1";
const MINUTE = 60_000;
let clock = Date.now();
const now = () => clock;

const h = useHarness(
  {
    env: { APPROVALS_REQUIRED: "2", ESCALATION_APPROVERS: `${ESCALATOR},S0OPSLEADS` },
    bot: { now },
  },
  (harness) => {
    harness.slack.addUser({ id: ESCALATOR, email: "escalator@example.com", name: "escalator" });
  },
);

/** Text of every reply in the approvals message's thread, oldest first. */
function threadReplies(approvalTs: string): string[] {
  return h.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === APPROVAL_CHANNEL && c.args.thread_ts === approvalTs)
    .map((c) => String(c.args.text));
}

/** Moves the clock and runs every replica's timer at once, as racing replicas would. */
async function advanceTo(minutes: number, start: number, bots: Bot[]): Promise<void> {
  clock = start + minutes * MINUTE;
  await Promise.all(bots.map((b) => b.approverReminders.sendDue()));
}

describe("approver reminders and escalation", () => {
  it("reminds only the approvers who have not voted at 60/120/180 minutes, once across two replicas and a restart, then escalates at 240", async () => {
    clock = Date.now();
    const start = clock;
    const replica = await h.startReplica({ now });
    const approval = await submitRequest(h);
    const ts = messageTs(approval);

    await approve(h, USERS.approver1, approval);
    await until(() => threadReplies(ts).length === 1, 5_000, "the vote reply");
    expect(threadReplies(ts)[0]).toMatch(/^Approved by <@U0APPROVE1> \(1 of 2\)/);

    await advanceTo(59, start, [h.bot, replica.bot]);
    expect(threadReplies(ts)).toHaveLength(1);

    await advanceTo(60, start, [h.bot, replica.bot]);
    await until(() => threadReplies(ts).length === 2, 5_000, "reminder 1");
    // Both replicas (and their timers) had their turn: still one reminder.
    await advanceTo(61, start, [h.bot, replica.bot]);
    const first = threadReplies(ts)[1] ?? "";
    expect(first).toContain("<@U0APPROVE2>");
    expect(first).not.toContain("<@U0APPROVE1>");
    expect(first).not.toContain(USERS.requester);
    expect(first).toContain("reminder 1");

    await h.restart({ now });
    await advanceTo(120, start, [h.bot, replica.bot]);
    await until(() => threadReplies(ts).length === 3, 5_000, "reminder 2");
    await advanceTo(121, start, [h.bot, replica.bot]);
    expect(threadReplies(ts)[2]).toContain("reminder 2");

    // Before the escalation time an escalation approver is an outsider.
    const early = await approve(h, ESCALATOR, approval);
    await h.slack.waitForResponse(
      (r) =>
        r.url === early.responseUrl && /Only the configured approvers/.test(JSON.stringify(r.body)),
    );

    await advanceTo(180, start, [h.bot, replica.bot]);
    await until(() => threadReplies(ts).length === 4, 5_000, "reminder 3");
    await advanceTo(239, start, [h.bot, replica.bot]);
    expect(threadReplies(ts)).toHaveLength(4);

    await advanceTo(240, start, [h.bot, replica.bot]);
    await until(() => threadReplies(ts).length === 5, 5_000, "the escalation");
    await advanceTo(300, start, [h.bot, replica.bot]);
    const replies = threadReplies(ts);
    expect(replies).toHaveLength(5); // no 4th reminder (APPROVAL_REMINDERS_MAX 3), one escalation
    expect(replies[3]).toContain("reminder 3");
    expect(replies[4]).toContain(`<@${ESCALATOR}>`);
    expect(replies[4]).toContain("<!subteam^S0OPSLEADS>");
    // Each notice is in the audit trail once, whichever replica sent it.
    const noticed = (await h.bot.audit.latest(100))
      .filter((e) => e.type === "approvers.reminded" || e.type === "request.escalated")
      .map((e) => `${e.type} ${JSON.stringify(e.details)}`)
      .sort();
    expect(noticed).toEqual([
      'approvers.reminded {"n":1}',
      'approvers.reminded {"n":2}',
      'approvers.reminded {"n":3}',
      expect.stringMatching(/^request\.escalated /),
    ]);

    // From now on the escalation approver decides like an approver.
    await approve(h, ESCALATOR, approval);
    await waitForRevealDm(h, approval);
    await until(() => threadReplies(ts).length === 6, 5_000, "the second vote reply");
    expect(threadReplies(ts)[5]).toMatch(/^Approved by <@U0ESCALATE1> \(2 of 2\)/);
  });

  it("sends no reminder after the decision or a cancel", async () => {
    clock = Date.now();
    const start = clock;
    const denied = await submitRequest(h);
    const cancelled = await submitRequest(h);
    const deniedTs = messageTs(denied);
    expect(
      await h.bot.workflow.deny(requestIdOf(denied), USERS.approver2, "Use the shared client"),
    ).toEqual({ ok: true });
    expect(await h.bot.workflow.cancel(requestIdOf(cancelled), USERS.requester)).toEqual({
      ok: true,
    });
    await until(() => threadReplies(deniedTs).length === 1, 5_000, "the denial reply");
    expect(threadReplies(deniedTs)[0]).toMatch(/^Denied by <@U0APPROVE2>: Use the shared client/);
    for (const minutes of [60, 120, 180, 240, 300]) await advanceTo(minutes, start, [h.bot]);
    expect(threadReplies(deniedTs)).toHaveLength(1);
    expect(threadReplies(messageTs(cancelled))).toEqual([]);
  });
});
