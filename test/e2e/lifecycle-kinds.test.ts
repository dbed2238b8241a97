// The rest of a client's life end to end: each lifecycle kind from the slash command to
// the change in the fake ADH, through the real bot, fake Slack and real Redis.
import { describe, expect, it } from "vitest";
import {
  CLIENT_MENU,
  DELETE_CLIENT_FORM,
  DELETE_SECRET_FORM,
  EDIT_FORM,
  REQUEST_NEW_SECRET,
  TOGGLE_FORM,
} from "../../src/slack/ids.js";
import type { RecordedCall } from "../fakes/slack.js";
import {
  APPROVAL_CHANNEL,
  approve,
  leakSearch,
  messageTs,
  USERS,
  until,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness({ env: { REMINDER_CHANNEL: "C0REMIND01" } }, (harness) => {
  harness.slack.addChannel("C0REMIND01", { member: true });
});

const DAY = 86_400_000;
const inAYear = () => new Date(Date.now() + 300 * DAY).toISOString();

/** Types the command and waits for the modal to show `text`; returns the view id. */
async function openForm(command: string, text: RegExp, user: string = USERS.requester) {
  const before = h.slack.callsTo("views.open").length;
  await h.driver.command(user, command);
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
  );
  const viewId = (open.response.view as { id: string }).id;
  const shown = await h.slack.waitForCall(
    "views.update",
    (c) => c.args.view_id === viewId && text.test(JSON.stringify(c.args.view)),
  );
  return { viewId, view: JSON.stringify(shown.args.view) };
}

function approvalFor(clientId: string, title: RegExp): Promise<RecordedCall> {
  return h.slack.waitForCall(
    "chat.postMessage",
    (c) =>
      // The approvals message itself, not a reply in its thread (votes, reminders).
      c.args.channel === APPROVAL_CHANNEL &&
      c.args.thread_ts === undefined &&
      JSON.stringify(c.args.blocks ?? []).includes(clientId) &&
      title.test(JSON.stringify(c.args.blocks)),
  );
}

function requesterDm(clientId: string, text: RegExp): Promise<RecordedCall> {
  return h.slack.waitForCall(
    "chat.postMessage",
    (c) =>
      c.args.channel === USERS.requester &&
      String(c.args.text).includes(clientId) &&
      text.test(String(c.args.text)),
  );
}

const clientOf = (id: string) => h.adh.clients().find((c) => c.Id === id);

function editValues(v: {
  name: string;
  redirectUris: string;
  logoutRedirectUris?: string;
  tokenLifetime?: string;
  allowRefreshToken?: boolean;
  enabled?: boolean;
  reason?: string;
}) {
  return {
    name: { name: v.name },
    allow_refresh_token: {
      allow_refresh_token: v.allowRefreshToken ? ["allow_refresh_token"] : [],
    },
    redirect_uris: { redirect_uris: v.redirectUris },
    logout_redirect_uris: { logout_redirect_uris: v.logoutRedirectUris ?? "" },
    token_lifetime: { token_lifetime: v.tokenLifetime ?? "3600" },
    enabled: { enabled: v.enabled === false ? [] : ["enabled"] },
    reason: { reason: v.reason ?? "moving to the new host" },
  } as Record<string, Record<string, unknown>>;
}

describe("edit <client-id>", () => {
  it("prefills the form, shows a per-field diff, and applies only the changed fields", async () => {
    const { id } = h.adh.addClient({
      Name: "edit-me",
      Enabled: true,
      RedirectUris: ["https://old.example.com/cb", "https://keep.example.com/cb"],
      PostLogoutRedirectUris: ["https://old.example.com/bye"],
      AccessTokenLifetime: 1800,
    });
    const { viewId, view } = await openForm(`edit ${id}`, /Edit Client/);
    expect(view).toContain("https://keep.example.com/cb");
    expect(view).toContain('"initial_value":"1800"');

    // Nothing changed: an inline error, and no request.
    const same = await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: EDIT_FORM },
      editValues({
        name: "edit-me",
        redirectUris: "https://old.example.com/cb\nhttps://keep.example.com/cb",
        logoutRedirectUris: "https://old.example.com/bye",
        tokenLifetime: "1800",
      }),
    );
    expect(same.body).toMatchObject({
      response_action: "errors",
      errors: { name: "Nothing changed" },
    });

    // The portal changes a field this request does not touch: it must survive the PUT.
    const posted = h.slack.callsTo("chat.postMessage").length;
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: EDIT_FORM },
      editValues({
        name: "edit-me-2",
        redirectUris: "https://new.example.com/cb\nhttps://keep.example.com/cb",
        logoutRedirectUris: "",
        tokenLifetime: "1800",
      }),
    );
    const approval = await approvalFor(id, /Edit client request/);
    expect(h.slack.callsTo("chat.postMessage").length).toBeGreaterThan(posted);
    const shown = JSON.stringify(approval.args.blocks);
    expect(shown).toContain("*Name*: edit-me → edit-me-2");
    expect(shown).toContain("➖ removed `https://old.example.com/cb`");
    expect(shown).toContain("➕ added `https://new.example.com/cb`");
    expect(shown).toContain("*Allowed Logout Redirect URL(s)*: 1 → none (cleared)");
    expect(shown).not.toContain("Token Lifetime*:");
    expect(shown).toContain("up to an hour");

    h.adh.updateClientDirectly(id, { AccessTokenLifetime: 900 });
    await approve(h, USERS.approver1, approval);
    await requesterDm(id, /Client updated/);
    const after = clientOf(id);
    expect(after?.Name).toBe("edit-me-2");
    expect(after?.RedirectUris).toEqual([
      "https://new.example.com/cb",
      "https://keep.example.com/cb",
    ]);
    // Cleared: an empty list, not "unchanged".
    expect(after?.PostLogoutRedirectUris ?? []).toEqual([]);
    expect(after?.AccessTokenLifetime).toBe(900);
    expect(h.adh.callsTo("PUT /HybridClients/:id")).toHaveLength(1);
  });

  it("fails visibly, applying nothing, when the field was changed in ADH since the form opened", async () => {
    const { id } = h.adh.addClient({
      Name: "contested",
      RedirectUris: ["https://a.example.com/cb"],
    });
    const { viewId } = await openForm(`edit ${id}`, /Edit Client/);
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: EDIT_FORM },
      editValues({ name: "contested-by-bot", redirectUris: "https://a.example.com/cb" }),
    );
    const approval = await approvalFor(id, /Edit client request/);
    h.adh.updateClientDirectly(id, { Name: "renamed-in-portal" });
    const puts = h.adh.callsTo("PUT /HybridClients/:id").length;
    await approve(h, USERS.approver1, approval);
    const failed = await h.slack.waitForCall(
      "chat.update",
      (c) =>
        c.args.ts === approval.response.ts &&
        /changed in ADH since it was requested/.test(JSON.stringify(c.args.blocks)),
    );
    expect(JSON.stringify(failed.args.blocks)).toContain("Retry");
    expect(clientOf(id)?.Name).toBe("renamed-in-portal");
    expect(h.adh.callsTo("PUT /HybridClients/:id")).toHaveLength(puts);
  });

  it("an edit whose PUT ADH applied but answered 500: exactly one change, and the request ends applied", async () => {
    const { id } = h.adh.addClient({
      Name: "flaky-edit",
      RedirectUris: ["https://f.example.com/cb"],
    });
    const { viewId } = await openForm(`edit ${id}`, /Edit Client/);
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: EDIT_FORM },
      editValues({
        name: "flaky-edit",
        redirectUris: "https://f.example.com/cb",
        tokenLifetime: "600",
      }),
    );
    const approval = await approvalFor(id, /Edit client request/);
    h.adh.inject("PUT /HybridClients/:id", { applyThenFail: 500 });
    const putsBefore = h.adh.callsTo("PUT /HybridClients/:id").length;
    await Promise.all([
      approve(h, USERS.approver1, approval),
      approve(h, USERS.approver2, approval),
    ]);
    await requesterDm(id, /Client updated/);
    expect(clientOf(id)?.AccessTokenLifetime).toBe(600);
    await until(() => h.bot.workflow.busy === 0);
    // The PUT that ADH applied, then its retry (idempotent), and nothing more.
    expect(h.adh.callsTo("PUT /HybridClients/:id").length - putsBefore).toBeLessThanOrEqual(2);
    const stored = await h.bot.workflow.openRequestsOf(USERS.requester);
    expect(stored.some((r) => r.clientId === id)).toBe(false);
  });
});

describe("disable / enable <client-id>", () => {
  it("disables after approval (two approvers clicking at once make one change), then enables", async () => {
    const { id } = h.adh.addClient({
      Name: "switch-me",
      Enabled: true,
      RedirectUris: ["https://s.example.com/cb"],
    });
    const { viewId, view } = await openForm(`disable ${id}`, /Disable Client/);
    expect(view).toContain("stops new sign-ins");
    const noReason = await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: TOGGLE_FORM },
      { reason: { reason: "   " } },
    );
    expect(noReason.body).toMatchObject({
      response_action: "errors",
      errors: { reason: expect.any(String) },
    });
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: TOGGLE_FORM },
      { reason: { reason: "leaked credentials" } },
    );
    const approval = await approvalFor(id, /Disable client request/);
    expect(JSON.stringify(approval.args.blocks)).toMatch(
      /stops new sign-ins; access tokens already issued stay valid until they expire/,
    );
    const puts = h.adh.callsTo("PUT /HybridClients/:id").length;
    await Promise.all([
      approve(h, USERS.approver1, approval),
      approve(h, USERS.approver2, approval),
    ]);
    await requesterDm(id, /Client disabled/);
    expect(clientOf(id)?.Enabled).toBe(false);
    await until(() => h.bot.workflow.busy === 0);
    expect(h.adh.callsTo("PUT /HybridClients/:id").length - puts).toBe(1);

    // Already disabled: answered at once, no request.
    const posted = h.slack.callsTo("chat.postMessage").length;
    await openForm(`disable ${id}`, /already disabled/);
    expect(h.slack.callsTo("chat.postMessage").length).toBe(posted);

    const enable = await openForm(`enable ${id}`, /Enable Client/);
    await h.driver.submitView(
      USERS.requester,
      { id: enable.viewId, callbackId: TOGGLE_FORM },
      { reason: { reason: "rotated everything" } },
    );
    const enableApproval = await approvalFor(id, /Enable client request/);
    await Promise.all([
      approve(h, USERS.approver1, enableApproval),
      approve(h, USERS.approver2, enableApproval),
    ]);
    await requesterDm(id, /Client enabled/);
    expect(clientOf(id)?.Enabled).toBe(true);
  });
});

describe("delete <client-id>", () => {
  it("needs the name typed, is marked destructive, deletes once and drops the reminders", async () => {
    const { id } = h.adh.addClient(
      { Name: "doomed-app", RedirectUris: ["https://d.example.com/cb"] },
      [{ description: "only", expiration: new Date(Date.now() + 0.5 * DAY).toISOString() }],
    );
    await h.bot.reminders.syncTenant();
    await h.bot.reminders.scanDue();
    const reminder = await h.slack.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === "C0REMIND01" && JSON.stringify(c.args.blocks).includes(id),
    );
    const trackedBefore = await h.bot.reminders.tracked.count();
    const { viewId, view } = await openForm(`delete ${id}`, /Delete Client/);
    expect(view).toContain("1 secret(s)");
    const wrong = await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: DELETE_CLIENT_FORM },
      { confirm_name: { confirm_name: "doomed" }, reason: { reason: "retired" } },
    );
    expect(wrong.body).toMatchObject({
      response_action: "errors",
      errors: { confirm_name: expect.stringMatching(/not the client's name/) },
    });
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: DELETE_CLIENT_FORM },
      { confirm_name: { confirm_name: "doomed-app" }, reason: { reason: "retired" } },
    );
    const approval = await approvalFor(id, /Delete client request/);
    expect(JSON.stringify(approval.args.blocks)).toMatch(/Destructive/);
    // ADH deletes but the answer is lost: the retried DELETE's 404 means done.
    h.adh.inject("DELETE /HybridClients/:id", { applyThenFail: 500 });
    await Promise.all([
      approve(h, USERS.approver1, approval),
      approve(h, USERS.approver2, approval),
    ]);
    await requesterDm(id, /Client deleted/);
    expect(clientOf(id)).toBeUndefined();
    await until(() => h.bot.workflow.busy === 0);
    expect(await h.bot.reminders.tracked.count()).toBe(trackedBefore - 1);

    // A reminder's button for it later answers that the client no longer exists.
    const before = h.slack.callsTo("views.open").length;
    await h.driver.clickButton(
      USERS.requester,
      { actionId: REQUEST_NEW_SECRET },
      { channel: "C0REMIND01", messageTs: messageTs(reminder) },
    );
    const open = await h.slack.waitForCall(
      "views.open",
      (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
    );
    const shown = (open.response.view as { id: string }).id;
    await h.slack.waitForCall(
      "views.update",
      (c) =>
        c.args.view_id === shown && /no hybrid client with Id/.test(JSON.stringify(c.args.view)),
    );
  });
});

describe("delete-secret <client-id> <secret-id>", () => {
  it("shows the secret, warns when it is the last one, and deletes it", async () => {
    const { id, secretIds } = h.adh.addClient(
      { Name: "one-secret", RedirectUris: ["https://o.example.com/cb"] },
      [{ description: "the only one", expiration: inAYear() }],
    );
    const secretId = secretIds[0]!;
    const { viewId, view } = await openForm(`delete-secret ${id} ${secretId}`, /Delete Secret/);
    expect(view).toContain("the only one");
    expect(view).toContain("last secret");
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: DELETE_SECRET_FORM },
      { reason: { reason: "compromised" } },
    );
    const approval = await approvalFor(id, /Delete secret request/);
    expect(JSON.stringify(approval.args.blocks)).toMatch(/last secret/);
    await Promise.all([
      approve(h, USERS.approver1, approval),
      approve(h, USERS.approver2, approval),
    ]);
    await requesterDm(id, /Secret deleted/);
    expect(h.adh.secretsOf(id)).toHaveLength(0);
    expect(h.adh.callsTo("DELETE /HybridClients/:id/Secrets/:sid").length).toBeGreaterThanOrEqual(
      1,
    );
    expect(await leakSearch(h)).toEqual([]);
  });

  it("`status` lists an open lifecycle request and `help` lists the commands", async () => {
    const { id, secretIds } = h.adh.addClient(
      { Name: "listed", RedirectUris: ["https://l.example.com/cb"] },
      [
        { description: "a", expiration: inAYear() },
        { description: "b", expiration: inAYear() },
      ],
    );
    const { viewId } = await openForm(`delete-secret ${id} ${secretIds[1]}`, /Delete Secret/);
    await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: DELETE_SECRET_FORM },
      { reason: { reason: "tidy up" } },
    );
    await approvalFor(id, /Delete secret request/);
    const status = await h.driver.command(USERS.requester, "status");
    const listed = await h.slack.waitForResponse(
      (r) => r.url === status.responseUrl && JSON.stringify(r.body).includes("listed"),
    );
    expect(JSON.stringify(listed.body)).toContain("Delete secret");
    const help = await h.driver.command(USERS.requester, "help");
    const text = JSON.stringify(help.body);
    for (const word of ["edit", "disable", "enable", "delete", "delete-secret"]) {
      expect(text).toContain(`/hybrid-client ${word} `);
    }
  });
});

describe("`/hybrid-client list` overflow menu", () => {
  it("offers New secret, Edit, Disable, Enable and Delete, each opening its form", async () => {
    const { id } = h.adh.addClient(
      { Name: "menu-app", Enabled: true, RedirectUris: ["https://m.example.com/cb"] },
      [{ description: "m", expiration: inAYear() }],
    );
    const res = await h.driver.command(USERS.requester, "list");
    const listed = await h.slack.waitForResponse(
      (r) => r.url === res.responseUrl && JSON.stringify(r.body).includes("menu-app"),
    );
    const text = JSON.stringify(listed.body);
    for (const value of ["secret", "edit", "disable", "enable", "delete"]) {
      expect(text).toContain(`"value":"${value}:${id}"`);
    }
    for (const [value, title] of [
      ["secret", /Create Secret/],
      ["edit", /Edit Client/],
      ["disable", /Disable Client/],
      ["enable", /already enabled/],
      ["delete", /Type the client name to confirm/],
    ] as const) {
      const before = h.slack.callsTo("views.open").length;
      await h.driver.chooseOverflow(
        USERS.requester,
        { actionId: CLIENT_MENU, value: `${value}:${id}` },
        { channel: "C0GENERAL1" },
      );
      const open = await h.slack.waitForCall(
        "views.open",
        (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
      );
      const viewId = (open.response.view as { id: string }).id;
      await h.slack.waitForCall(
        "views.update",
        (c) => c.args.view_id === viewId && title.test(JSON.stringify(c.args.view)),
      );
    }
  });
});
