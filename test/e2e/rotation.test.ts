import { describe, expect, it } from "vitest";
import { REQUEST_NEW_SECRET, REVEAL, SECRET_FORM } from "../../src/slack/ids.js";
import {
  approve,
  leakSearch,
  messageTs,
  secretFormValues,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const TEAM_CHANNEL = "C0TEAMOPS1";
const h = useHarness({ env: { REMINDER_CHANNEL: "C0REMIND01" } }, (harness) => {
  harness.slack.addChannel(TEAM_CHANNEL, { member: true });
  harness.slack.addChannel("C0REMIND01", { member: true });
});

const DAY = 86_400_000;
const viewOpened = async (before: number) => {
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
  );
  return (open.response.view as { id: string }).id;
};
const viewShows = (viewId: string, text: RegExp) =>
  h.slack.waitForCall(
    "views.update",
    (c) => c.args.view_id === viewId && text.test(JSON.stringify(c.args.view)),
  );

describe("a new secret for an existing client", () => {
  it("from the reminder's Request new secret button to a revealed secret", async () => {
    const { id: clientId } = h.adh.addClient(
      { Name: "legacy <app>", RedirectUris: ["https://legacy.example.com/cb"] },
      [{ description: "old", expiration: new Date(Date.now() + 0.5 * DAY).toISOString() }],
    );
    await h.bot.reminders.syncTenant();
    await h.bot.reminders.scanDue();
    const reminder = await h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === "C0REMIND01" && JSON.stringify(c.args.blocks).includes(clientId),
    );
    expect(JSON.stringify(reminder.args.blocks)).toContain("legacy &lt;app&gt;");

    const before = h.slack.callsTo("views.open").length;
    await h.driver.clickButton(
      USERS.requester,
      { actionId: REQUEST_NEW_SECRET },
      { channel: "C0REMIND01", messageTs: messageTs(reminder) },
    );
    const viewId = await viewOpened(before);
    await viewShows(viewId, /Create Secret/);
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: SECRET_FORM },
      secretFormValues({ description: "rotated" }),
    );
    const approval = await h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === "C0APPROVE1" && JSON.stringify(c.args.blocks).includes(clientId),
    );
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    // No new client: the existing one gets the new secret at reveal.
    expect(h.adh.clients().filter((c) => c.Name === "legacy <app>")).toHaveLength(1);
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);
    const click = await h.driver.clickButton(
      USERS.requester,
      { actionId: REVEAL },
      { channel: String(dm.response.channel), messageTs: messageTs(dm) },
    );
    await h.slack.waitForResponse(
      (r) => r.url === click.responseUrl && JSON.stringify(r.body).includes(clientId),
    );
    const secrets = h.adh.secretsOf(clientId);
    expect(secrets).toHaveLength(2);
    expect(secrets.map((s) => s.Description)).toContain("rotated");
    expect(await leakSearch(h)).toEqual([]);
  });

  it("`/hybrid-client secret <id>` explains a client already holding 10 secrets", async () => {
    const expiration = new Date(Date.now() + 100 * DAY).toISOString();
    const { id } = h.adh.addClient(
      { Name: "full-app", RedirectUris: ["https://full.example.com/cb"] },
      Array.from({ length: 10 }, (_, i) => ({ description: `s${i}`, expiration })),
    );
    const before = h.slack.callsTo("views.open").length;
    await h.driver.command(USERS.requester, `secret ${id}`, { channel: TEAM_CHANNEL });
    const viewId = await viewOpened(before);
    const shown = await viewShows(viewId, /10 secrets/);
    expect(JSON.stringify(shown.args.view)).toMatch(/Delete an old secret/);
  });

  it("`/hybrid-client secret <id>` answers clearly for an unknown id and for something that is not an id", async () => {
    let before = h.slack.callsTo("views.open").length;
    await h.driver.command(USERS.requester, "secret 3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    await viewShows(await viewOpened(before), /no hybrid client with Id/);
    before = h.slack.callsTo("views.open").length;
    await h.driver.command(USERS.requester, "secret <!channel>");
    const shown = await viewShows(await viewOpened(before), /not a client id/);
    expect(JSON.stringify(shown.args.view)).not.toContain("<!channel>");
  });

  it("`/hybrid-client list` shows clients with the soonest-expiring secrets first, only to the asker", async () => {
    const res = await h.driver.command(USERS.requester, "list");
    const listed = await h.slack.waitForResponse(
      (r) => r.url === res.responseUrl && JSON.stringify(r.body).includes("full-app"),
    );
    expect(listed.body).toMatchObject({ response_type: "ephemeral" });
  });
});
