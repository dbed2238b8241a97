// Rotation that retires the old secret (issue 11 item 5), end to end against the fake ADH
// and the fake Slack: Replace secret → reveal → Delete old secret (requester only, once),
// the 7-day reminder in the DM thread sent once by two replicas, and a client at ADH's
// limit whose chosen secret is deleted before the new one is minted.
import { describe, expect, it } from "vitest";
import { DELETE_OLD_SECRET, REVEAL, SECRET_FORM } from "../../src/slack/ids.js";
import type { RecordedCall } from "../fakes/slack.js";
import {
  approve,
  leakSearch,
  messageTs,
  requestIdOf,
  secretFormValues,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const TEAM_CHANNEL = "C0TEAMOPS1";
const h = useHarness({}, (harness) => {
  harness.slack.addChannel(TEAM_CHANNEL, { member: true });
});

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();

async function openRotation(clientId: string): Promise<string> {
  const before = h.slack.callsTo("views.open").length;
  await h.driver.command(USERS.requester, `secret ${clientId}`, { channel: TEAM_CHANNEL });
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
  );
  const viewId = (open.response.view as { id: string }).id;
  await h.slack.waitForCall(
    "views.update",
    (c) => c.args.view_id === viewId && JSON.stringify(c.args.view).includes("Replace secret"),
  );
  return viewId;
}

const approvalFor = (clientId: string) =>
  h.slack.waitForCall(
    "chat.postMessage",
    // The approvals message itself, not a reply in its thread (votes, reminders).
    (c) =>
      c.args.channel === "C0APPROVE1" &&
      c.args.thread_ts === undefined &&
      JSON.stringify(c.args.blocks ?? []).includes(clientId),
  );

async function reveal(dm: RecordedCall, clientId: string) {
  const click = await h.driver.clickButton(
    USERS.requester,
    { actionId: REVEAL },
    { channel: String(dm.response.channel), messageTs: messageTs(dm) },
  );
  await h.slack.waitForResponse(
    (r) => r.url === click.responseUrl && JSON.stringify(r.body).includes(clientId),
  );
  // The revealed DM (chat.update) now carries Delete old secret.
  return h.slack.waitForCall(
    "chat.update",
    (c) => c.args.ts === messageTs(dm) && JSON.stringify(c.args.blocks).includes(DELETE_OLD_SECRET),
  );
}

/** Rotation of `clientId` replacing `oldId`, approved and revealed: the DM's post. */
async function rotateAndReveal(clientId: string, oldId: number): Promise<RecordedCall> {
  const viewId = await openRotation(clientId);
  await h.driver.submitView(
    USERS.requester,
    { id: viewId, callbackId: SECRET_FORM },
    {
      ...secretFormValues({ description: "rotated" }),
      replace_secret: { replace_secret: String(oldId) },
    },
  );
  const approval = await approvalFor(clientId);
  expect(JSON.stringify(approval.args.blocks)).toMatch(
    new RegExp(`Also retires secret ${oldId} \\(old one\\)`),
  );
  await approve(h, USERS.approver1, approval);
  const dm = await waitForRevealDm(h, approval);
  await reveal(dm, clientId);
  return dm;
}

async function press(user: string, dm: RecordedCall) {
  const click = await h.driver.clickButton(
    user,
    // The request id and block given: a press from a stale copy of the DM (a double click)
    // still arrives after the button is gone from the updated message.
    { actionId: DELETE_OLD_SECRET, value: requestIdOf(dm), blockId: "retire_actions" },
    { channel: String(dm.response.channel), messageTs: messageTs(dm) },
  );
  const answer = await h.slack.waitForResponse((r) => r.url === click.responseUrl);
  return JSON.stringify(answer.body);
}

describe("a rotation that retires the old secret", () => {
  it("Delete old secret deletes it once, for the requester only", async () => {
    const { id: clientId } = h.adh.addClient({ Name: "retiring-app" }, [
      { description: "old one", expiration: inDays(30) },
    ]);
    const [old] = h.adh.secretsOf(clientId);
    const dm = await rotateAndReveal(clientId, old!.Id);
    expect(h.adh.secretsOf(clientId)).toHaveLength(2);

    const outsider = await press(USERS.approver1, dm);
    expect(outsider).toMatch(/Only the person who requested/);
    expect(h.adh.secretsOf(clientId).map((s) => s.Id)).toContain(old!.Id);

    const first = await press(USERS.requester, dm);
    expect(first).toMatch(new RegExp(`Old secret ${old!.Id} \\(old one\\) deleted at`));
    expect(first).toMatch(/up to an hour/);
    expect(h.adh.secretsOf(clientId).map((s) => s.Id)).not.toContain(old!.Id);
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);
    await h.slack.waitForCall(
      "chat.update",
      (c) =>
        c.args.ts === messageTs(dm) &&
        JSON.stringify(c.args.blocks).includes(`Old secret ${old!.Id} deleted at`) &&
        !JSON.stringify(c.args.blocks).includes(DELETE_OLD_SECRET),
    );

    const second = await press(USERS.requester, dm);
    expect(second).toMatch(/already deleted/);
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);
    expect(await leakSearch(h)).toEqual([]);
  });

  it("reminds the requester once in the DM thread after 7 days, with two replicas ticking", async () => {
    const { id: clientId } = h.adh.addClient({ Name: "forgetful-app" }, [
      { description: "old one", expiration: inDays(30) },
    ]);
    const [old] = h.adh.secretsOf(clientId);
    const dm = await rotateAndReveal(clientId, old!.Id);
    const later = () => Date.now() + 8 * DAY;
    // Two replicas whose clock is 8 days on: both tick every 200 ms, one reminder is sent.
    const replicas = [await h.startReplica({ now: later }), await h.startReplica({ now: later })];
    const inThread = (c: RecordedCall) =>
      c.args.thread_ts === messageTs(dm) && JSON.stringify(c.args.blocks).includes("Reminder");
    await h.slack.waitForCall("chat.postMessage", inThread);
    // Several more ticks on both replicas: still exactly one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const reminders = h.slack.callsTo("chat.postMessage").filter(inThread);
    expect(reminders).toHaveLength(1);
    expect(JSON.stringify(reminders[0]!.args.blocks)).toMatch(
      new RegExp(`secret ${old!.Id} \\(old one\\) is still live`),
    );
    expect(JSON.stringify(reminders[0]!.args.blocks)).toMatch(/up to an hour/);
    // Their clock would expire the next test's pending requests.
    await Promise.all(replicas.map((r) => r.bot.stop()));
  });

  it("a client at ADH's limit: the choice is required, the old secret goes first (apply-then-fail is done), the reveal mints", async () => {
    const { id: clientId } = h.adh.addClient(
      { Name: "full-app" },
      Array.from({ length: 10 }, (_, i) => ({ description: `s${i}`, expiration: inDays(90) })),
    );
    const chosen = h.adh.secretsOf(clientId)[3]!;
    const viewId = await openRotation(clientId);
    const refused = await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: SECRET_FORM },
      secretFormValues({ description: "rotated" }),
    );
    expect(refused.body).toMatchObject({
      response_action: "errors",
      errors: { replace_secret: expect.stringMatching(/limit of 10/) },
    });
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: SECRET_FORM },
      {
        ...secretFormValues({ description: "rotated" }),
        replace_secret: { replace_secret: String(chosen.Id) },
      },
    );
    const approval = await approvalFor(clientId);
    expect(JSON.stringify(approval.args.blocks)).toMatch(
      new RegExp(`secret ${chosen.Id} \\(s3\\).*deleted \\*before\\* the new one is created`),
    );
    // ADH deletes, then the answer is lost: the retried delete gets 404, which is done.
    h.adh.inject("DELETE /HybridClients/:id/Secrets/:sid", { applyThenFail: 500 });
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    // Two DELETEs (the lost answer, then the 404 retry) and the request still applied.
    const deletes = h.adh.callsTo("DELETE /HybridClients/:id/Secrets/:sid");
    expect(
      deletes.filter((c) => c.path.includes(`/Secrets/${chosen.Id}`)).map((c) => c.status),
    ).toEqual([500, 404]);
    // Deleted at approval, before any mint.
    expect(h.adh.secretsOf(clientId)).toHaveLength(9);
    expect(h.adh.secretsOf(clientId).map((s) => s.Id)).not.toContain(chosen.Id);
    const click = await h.driver.clickButton(
      USERS.requester,
      { actionId: REVEAL },
      { channel: String(dm.response.channel), messageTs: messageTs(dm) },
    );
    await h.slack.waitForResponse(
      (r) => r.url === click.responseUrl && JSON.stringify(r.body).includes(clientId),
    );
    expect(h.adh.secretsOf(clientId)).toHaveLength(10);
    expect(h.adh.secretsOf(clientId).map((s) => s.Description)).toContain("rotated");
    expect(await leakSearch(h)).toEqual([]);
  });
});
