// App Home and the global shortcut against the real bot: what each person sees, decisions
// from Home reaching the channel message and decisions in the channel reaching Home.
import { describe, expect, it } from "vitest";
import type { HybridClientRequest } from "../../src/requests/model.js";
import {
  APPROVE,
  CLIENT_FORM,
  DENY,
  DENY_FORM,
  HOME_APPROVE,
  HOME_CANCEL,
  REQUEST_SHORTCUT,
} from "../../src/slack/ids.js";
import {
  APPROVAL_CHANNEL,
  messageTs,
  requestIdOf,
  submitRequest,
  USERS,
  until,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness();

const publishesFor = (user: string) =>
  h.slack.callsTo("views.publish").filter((c) => c.args.user_id === user);
const homeText = (user: string) => JSON.stringify(h.slack.home(user)?.blocks ?? []);
const settled = () => until(() => h.bot.home.busy === 0, 5_000, "Home refreshes");

/** Opens Home and waits for the publish it causes. */
async function openHome(user: string) {
  const before = publishesFor(user).length;
  const sent = await h.driver.homeOpened(user);
  expect(sent.status).toBe(200);
  await until(() => publishesFor(user).length > before, 5_000, `${user}'s Home`);
  return h.slack.home(user);
}

describe("App Home", () => {
  it("shows an approver what waits, a requester their requests, an admin expiring secrets", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "home-app" } });
    const id = requestIdOf(approval);

    await openHome(USERS.approver1);
    expect(homeText(USERS.approver1)).toContain("Waiting for your approval");
    expect(homeText(USERS.approver1)).toContain(`"action_id":"${HOME_APPROVE}","value":"${id}"`);

    // Tracked secrets: one within 30 days (shown), one later (not shown).
    const inDays = (d: number) => Math.floor(Date.now() / 1000) + d * 86_400;
    for (const [secretId, days] of [
      [1, 9],
      [2, 90],
    ] as const) {
      await h.bot.reminders.tracked.trackSecret({
        clientId: `home-client-${secretId}`,
        clientName: `tracked-${days}d`,
        secretId,
        description: "sync",
        expiration: inDays(days),
        channel: "C0GENERAL1",
        source: "bot",
      });
    }
    await openHome(USERS.requester);
    const mine = homeText(USERS.requester);
    expect(mine).toContain("tracked-9d");
    expect(mine).not.toContain("tracked-90d");
    expect(mine).toContain("Your requests");
    expect(mine).toContain("home-app");
    expect(mine).toContain(`"action_id":"${HOME_CANCEL}","value":"${id}"`);
    expect(mine).not.toContain("Waiting for your approval");
    // The requester is a Tenant Administrator in the fake ADH.
    expect(mine).toContain("Secrets expiring soon");

    // Neither approver nor administrator: only their requests and the button.
    await openHome(USERS.outsider);
    expect(homeText(USERS.outsider)).not.toContain("Waiting for your approval");
    expect(homeText(USERS.outsider)).not.toContain("Secrets expiring soon");
    expect(homeText(USERS.outsider)).toContain("Request a hybrid client");

    // approver2 never opened Home: no publish, whatever changes.
    expect(publishesFor(USERS.approver2)).toEqual([]);
  });

  it("Approve on Home updates the channel message and both Homes", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "from-home" } });
    const id = requestIdOf(approval);
    await openHome(USERS.approver1);
    const click = await h.driver.clickHomeButton(USERS.approver1, {
      actionId: HOME_APPROVE,
      value: id,
    });
    expect(click.status).toBe(200);
    await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(approval) && !JSON.stringify(c.args.blocks).includes(APPROVE),
    );
    await settled();
    await until(() => !homeText(USERS.approver1).includes(id), 5_000, "approver's Home refreshed");
    expect(homeText(USERS.requester)).toContain("from-home");
  });

  it("Deny in the channel updates the requester's Home", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "deny-in-chan" } });
    const id = requestIdOf(approval);
    await openHome(USERS.requester);
    expect(homeText(USERS.requester)).toContain(`"value":"${id}"`);
    await h.driver.clickButton(
      USERS.approver1,
      { actionId: DENY },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    const open = await h.slack.waitForCall(
      "views.open",
      (c) =>
        JSON.stringify(c.args.view).includes(DENY_FORM) && JSON.stringify(c.args.view).includes(id),
    );
    const viewId = (open.response.view as { id: string }).id;
    await h.driver.submitView(
      USERS.approver1,
      { id: viewId, callbackId: DENY_FORM },
      {
        deny_reason: { deny_reason: "not now" },
      },
    );
    await until(
      () => !homeText(USERS.requester).includes(`"value":"${id}"`),
      5_000,
      "no Cancel any more",
    );
    expect(homeText(USERS.requester)).toMatch(/Last finished.*deny-in-chan.*denied/);
  });

  it("a burst of changes publishes each Home once, not once per change", async () => {
    await openHome(USERS.requester);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        requestIdOf(await submitRequest(h, USERS.requester, { client: { name: `burst-${i}` } })),
      );
    }
    await settled();
    const before = publishesFor(USERS.requester).length;
    await Promise.all(ids.map((id) => h.bot.workflow.cancel(id, USERS.requester)));
    await settled();
    const after = publishesFor(USERS.requester).length;
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThan(5);
    expect(homeText(USERS.requester)).not.toContain(`"value":"${ids[4]}"`);
  });

  it("150 pending requests stay within 100 blocks and say how many more wait", async () => {
    const store = h.bot.workflow.engine.store;
    const template = (await store.get(requestIdOf(await submitRequest(h))))?.request;
    if (!template) throw new Error("no request to copy");
    const now = Date.now();
    for (let i = 0; i < 150; i++) {
      const copy: HybridClientRequest = {
        ...template,
        id: `RBULK${String(i).padStart(4, "0")}`,
        requesterId: USERS.member,
        createdAt: now,
        expiresAt: now + 3_600_000 + i,
        updatedAt: now,
      };
      await store.create(copy);
    }
    const home = await openHome(USERS.approver1);
    const blocks = home?.blocks as unknown[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(homeText(USERS.approver1)).toMatch(/and 1\d\d more not shown/);
  });
});

describe("the global shortcut", () => {
  it("opens the same form as `add`", async () => {
    const opens = h.slack.callsTo("views.open").length;
    const sent = await h.driver.shortcut(USERS.requester, REQUEST_SHORTCUT);
    expect(sent.status).toBe(200);
    const open = await h.slack.waitForCall(
      "views.open",
      (c) => h.slack.callsTo("views.open").indexOf(c) >= opens,
    );
    expect((open.args.view as { callback_id?: string }).callback_id).toBe(CLIENT_FORM);
    expect(open.args.trigger_id).toBe(sent.triggerId);
  });
});
