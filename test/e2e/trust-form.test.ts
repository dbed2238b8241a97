// The request form's trust checks end to end (issue 9): a Reminder channel that is a person
// or junk is refused inline, a private channel the bot is not in is reported at submit,
// bidirectional-control characters are refused inline, and the open-request cap is named.
import { describe, expect, it } from "vitest";
import { CLIENT_FORM, DENY, DENY_FORM, SECRET_FORM } from "../../src/slack/ids.js";
import { APPROVAL_CHANNEL, clientFormValues, secretFormValues, USERS } from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness({ env: { MAX_OPEN_REQUESTS_PER_USER: "1" } }, (harness) => {
  harness.slack.addChannel("C0SECRET01", { isPrivate: true, member: false });
});

/** Opens Add Client as `user` and submits pane 1 with `client`; returns the ack body. */
async function pane1(user: string, client: Partial<Record<string, unknown>>) {
  const before = h.slack.callsTo("views.open").length;
  await h.driver.command(user, "add");
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
  );
  const viewId = (open.response.view as { id: string }).id;
  const ack = await h.driver.submitView(
    user,
    { id: viewId, callbackId: CLIENT_FORM },
    clientFormValues(client),
  );
  return {
    viewId,
    body: ack.body as { response_action?: string; errors?: Record<string, string> },
  };
}

/** Both panes; returns the text of the notice the modal ends on. */
async function submit(user: string, client: Partial<Record<string, unknown>> = {}) {
  const { viewId, body } = await pane1(user, client);
  expect(body.response_action).toBe("update");
  const updates = h.slack.callsTo("views.update").length;
  await h.driver.submitView(user, { id: viewId, callbackId: SECRET_FORM }, secretFormValues());
  const notice = await h.slack.waitForCall(
    "views.update",
    (c) =>
      h.slack.callsTo("views.update").indexOf(c) >= updates &&
      /Not submitted|Sent for approval/.test(JSON.stringify(c.args.view)),
  );
  return JSON.stringify(notice.args.view);
}

describe("the request form", () => {
  it("refuses a user id or junk as the Reminder channel, inline", async () => {
    for (const junk of [USERS.member, "junk <!here>", "D0DIRECT01"]) {
      const { body } = await pane1(USERS.requester, { reminderChannel: junk });
      expect(body.response_action).toBe("errors");
      expect(body.errors?.reminder_channel).toContain("not a person or a DM");
    }
  });

  it("refuses bidirectional-control characters in every text field, inline", async () => {
    const { body } = await pane1(USERS.requester, {
      name: "invoice\u202Etxt.exe",
      redirectUris: "https://app.example.com/\u2066cb",
      reason: "because\u200F",
    });
    expect(body.response_action).toBe("errors");
    for (const block of ["name", "redirect_uris", "reason"]) {
      expect(body.errors?.[block]).toContain("text-direction");
    }
  });

  it("reports at submit a private channel the bot is not in, and stores nothing", async () => {
    const posted = h.slack.callsTo("chat.postMessage").length;
    const notice = await submit(USERS.requester, { reminderChannel: "C0SECRET01" });
    expect(notice).toContain("Not submitted");
    expect(notice).toContain("/invite @hybrid-client-bot");
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(posted);
  });

  it("refuses a request beyond MAX_OPEN_REQUESTS_PER_USER, naming the limit", async () => {
    expect(await submit(USERS.approver1)).toContain("Sent for approval");
    const second = await submit(USERS.approver1);
    expect(second).toContain("Not submitted");
    expect(second).toContain("You already have 1 open request,");
    expect(second).toContain("MAX_OPEN_REQUESTS_PER_USER");
  });

  it("refuses bidirectional-control characters in a Deny reason, inline", async () => {
    const approval = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === APPROVAL_CHANNEL)
      .at(-1);
    if (!approval) throw new Error("no approvals message yet");
    const opens = h.slack.callsTo("views.open").length;
    await h.driver.clickButton(
      USERS.approver2,
      { actionId: DENY },
      { channel: APPROVAL_CHANNEL, messageTs: String(approval.response.ts) },
    );
    const open = await h.slack.waitForCall(
      "views.open",
      (c) => h.slack.callsTo("views.open").indexOf(c) >= opens,
    );
    const viewId = (open.response.view as { id: string }).id;
    const ack = await h.driver.submitView(
      USERS.approver2,
      { id: viewId, callbackId: DENY_FORM },
      { deny_reason: { deny_reason: "looks fine\u202E" } },
    );
    expect(ack.body).toMatchObject({ response_action: "errors" });
    expect(JSON.stringify(ack.body)).toContain("text-direction");
  });
});
