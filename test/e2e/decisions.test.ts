import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANCEL, DENY, DENY_FORM } from "../../src/slack/ids.js";
import {
  APPROVAL_CHANNEL,
  approve,
  type Harness,
  messageTs,
  requestIdOf,
  startHarness,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness();

const creates = () => h.adh.callsTo("POST /HybridClients").length;
const ephemeralAnswer = (responseUrl: string, text: RegExp) =>
  h.slack.waitForResponse((r) => r.url === responseUrl && text.test(JSON.stringify(r.body)));

describe("who may decide", () => {
  it("refuses the requester's own approval and an outsider's, ephemerally and with the reason", async () => {
    const approval = await submitRequest(h);
    const self = await approve(h, USERS.requester, approval);
    await ephemeralAnswer(self.responseUrl, /Only the configured approvers/);

    // An approver who is also the requester: allowed to decide others, not their own.
    const own = await submitRequest(h, USERS.requester);
    const outsider = await approve(h, USERS.outsider, own);
    await ephemeralAnswer(outsider.responseUrl, /Only the configured approvers/);
    expect(creates()).toBe(0);
  });

  it("does not let an approver approve their own request unless self-approval is allowed", async () => {
    const approval = await submitRequest(h, USERS.approver2);
    const self = await approve(h, USERS.approver2, approval);
    await ephemeralAnswer(self.responseUrl, /cannot approve your own request/);
    expect(creates()).toBe(0);
  });

  it("ten Approve clicks at once create exactly one client; late clicks hear who approved", async () => {
    const before = creates();
    const approval = await submitRequest(h);
    const clicks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        approve(h, i % 2 ? USERS.approver1 : USERS.approver2, approval),
      ),
    );
    expect(clicks.every((c) => c.status === 200)).toBe(true);
    await waitForRevealDm(h, approval);
    expect(creates() - before).toBe(1);
    const late = await approve(h, USERS.approver2, approval);
    await ephemeralAnswer(late.responseUrl, /Already approved by/);
    // The approvals message was updated in place: no more buttons.
    const update = await h.slack.waitForCall(
      "chat.update",
      (c) =>
        c.args.ts === messageTs(approval) && !JSON.stringify(c.args.blocks).includes("hcb_approve"),
    );
    expect(update.args.channel).toBe(APPROVAL_CHANNEL);
  });

  it("a Deny with a reason ends the request and tells the requester", async () => {
    const approval = await submitRequest(h);
    const click = await h.driver.clickButton(
      USERS.approver1,
      { actionId: DENY },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    expect(click.status).toBe(200);
    const open = await h.slack.waitForCall("views.open", (c) =>
      JSON.stringify(c.args.view).includes(DENY_FORM),
    );
    const viewId = (open.response.view as { id: string }).id;
    await h.driver.submitView(
      USERS.approver1,
      { id: viewId, callbackId: DENY_FORM },
      {
        deny_reason: { deny_reason: "use the <!channel> shared client" },
      },
    );
    const update = await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(approval),
    );
    const shown = JSON.stringify(update.args.blocks);
    expect(shown).toMatch(/Denied/);
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).not.toContain("<!channel>");
    await h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === USERS.requester && /denied/i.test(JSON.stringify(c.args)),
    );
    const late = await approve(h, USERS.approver2, approval);
    await ephemeralAnswer(late.responseUrl, /Already denied by/);
  });

  it("the requester can cancel a pending request, and status lists only open ones", async () => {
    const approval = await submitRequest(h);
    const requestId = requestIdOf(approval);
    const status = await h.driver.command(USERS.requester, "status");
    const listed = await h.slack.waitForResponse((r) => r.url === status.responseUrl);
    expect(JSON.stringify(listed.body)).toContain(requestId);

    const other = await h.driver.clickButton(
      USERS.outsider,
      { actionId: CANCEL, value: requestId, blockId: "status" },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    await ephemeralAnswer(other.responseUrl, /Only the person who made this request/);
    const cancel = await h.driver.clickButton(
      USERS.requester,
      { actionId: CANCEL, value: requestId, blockId: "status" },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    await ephemeralAnswer(cancel.responseUrl, /cancelled/);
    await h.slack.waitForCall(
      "chat.update",
      (c) =>
        c.args.ts === messageTs(approval) && /[Cc]ancelled/.test(JSON.stringify(c.args.blocks)),
    );
    const after = await h.driver.command(USERS.requester, "status");
    const relisted = await h.slack.waitForResponse((r) => r.url === after.responseUrl);
    expect(JSON.stringify(relisted.body)).not.toContain(requestId);
  });
});

describe("pending requests expire", () => {
  let short: Harness;
  beforeAll(async () => {
    short = await startHarness({ env: { REQUEST_TTL_HOURS: String(1 / 3600) } });
  });
  afterAll(async () => {
    await short?.close();
  });

  it("after REQUEST_TTL_HOURS: buttons removed, requester told, approval refused", async () => {
    const approval = await submitRequest(short);
    const expired = await short.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(approval) && /[Ee]xpired/.test(JSON.stringify(c.args.blocks)),
    );
    expect(JSON.stringify(expired.args.blocks)).not.toContain("hcb_approve");
    await short.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === USERS.requester && /expired/i.test(JSON.stringify(c.args)),
    );
    const late = await approve(short, USERS.approver1, approval);
    await short.slack.waitForResponse(
      (r) => r.url === late.responseUrl && /expired/.test(JSON.stringify(r.body)),
    );
    expect(short.adh.callsTo("POST /HybridClients")).toHaveLength(0);
    // Exactly one expiry notice, although the timer ticks every 200 ms.
    const notices = short.slack
      .callsTo("chat.update")
      .filter(
        (c) =>
          c.args.ts === messageTs(approval) && /[Ee]xpired/.test(JSON.stringify(c.args.blocks)),
      );
    expect(notices).toHaveLength(1);
  });
});
