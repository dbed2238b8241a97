import { describe, expect, it } from "vitest";
import { BLOCK, CLIENT_FORM, SECRET_FORM } from "../../src/slack/ids.js";
import { clientFormValues, secretFormValues, USERS } from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness();

async function openForm(user: string, text = "add") {
  const before = h.slack.callsTo("views.open").length;
  const res = await h.driver.command(user, text);
  expect(res.status).toBe(200);
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
  );
  return {
    viewId: (open.response.view as { id: string }).id,
    view: open.args.view as Record<string, unknown>,
    ms: res.ms,
  };
}

function errorsOf(body: unknown): Record<string, string> {
  const b = body as { response_action?: string; errors?: Record<string, string> };
  expect(b.response_action).toBe("errors");
  return b.errors ?? {};
}

describe("the Add Client form", () => {
  it("opens at once with the portal's fields and the typed name", async () => {
    const { view, ms } = await openForm(USERS.requester, "add  My <App> ");
    expect(ms).toBeLessThan(3000);
    const text = JSON.stringify(view);
    expect((view.title as { text: string }).text).toBe("Add Client");
    expect((view.submit as { text: string }).text).toBe("Next");
    for (const label of [
      "Name",
      "Allow Refresh Token",
      "Allowed Redirect URL(s)",
      "Allowed Logout Redirect URL(s)",
      "Token Lifetime",
      "Reminder channel",
      "Reason",
    ]) {
      expect(text).toContain(`"text":"${label}"`);
    }
    expect(text).toContain('"initial_value":"My <App>"');
  });

  it("shows each field problem inline, on its own block, within the ack", async () => {
    const { viewId } = await openForm(USERS.requester);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: "   " }, BLOCK.name, /name/i],
      [{ tokenLifetime: "59" }, BLOCK.tokenLifetime, /60/],
      [{ tokenLifetime: "3601" }, BLOCK.tokenLifetime, /3600/],
      [{ redirectUris: "" }, BLOCK.redirectUris, /at least one URL/],
      [
        {
          redirectUris: Array.from({ length: 11 }, (_, i) => `https://a.example.com/${i}`).join(
            "\n",
          ),
        },
        BLOCK.redirectUris,
        /10/,
      ],
      [{ redirectUris: "not a url" }, BLOCK.redirectUris, /not a url/],
      [{ redirectUris: "https://a.example.com/cb#frag" }, BLOCK.redirectUris, /fragment/i],
      [{ logoutRedirectUris: "nope" }, BLOCK.logoutRedirectUris, /nope/],
    ];
    for (const [override, block, message] of cases) {
      const res = await h.driver.submitView(
        USERS.requester,
        { id: viewId, callbackId: CLIENT_FORM },
        clientFormValues(override),
      );
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(3000);
      const errors = errorsOf(res.body);
      expect(Object.keys(errors), JSON.stringify(override)).toEqual([block]);
      expect(errors[block]).toMatch(message);
    }
  });

  it("rejects an expiration date that is not in the future unless Never Expires is ticked", async () => {
    const { viewId } = await openForm(USERS.requester);
    const next = await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: CLIENT_FORM },
      clientFormValues(),
    );
    expect((next.body as { response_action: string }).response_action).toBe("update");
    const today = new Date().toISOString().slice(0, 10);
    const res = await h.driver.submitView(
      USERS.requester,
      { id: viewId, callbackId: SECRET_FORM },
      secretFormValues({ expirationDate: today }),
    );
    expect(Object.keys(errorsOf(res.body))).toEqual([BLOCK.expirationDate]);
  });

  it("replaces the form with a plain explanation for a user who is not a Tenant Administrator", async () => {
    const { viewId } = await openForm(USERS.member);
    const update = await h.slack.waitForCall("views.update", (c) => c.args.view_id === viewId);
    expect(JSON.stringify(update.args.view)).toContain("Tenant Administrator");
    expect(h.slack.view(viewId)?.view.callback_id).not.toBe(CLIENT_FORM);
  });

  it("explains when the Slack email matches no ADH user", async () => {
    const { viewId } = await openForm(USERS.ghost);
    const update = await h.slack.waitForCall("views.update", (c) => c.args.view_id === viewId);
    expect(JSON.stringify(update.args.view)).toContain("ghost@example.com");
  });

  // approver1 has not opened a form yet: a recent positive check would be reused.
  it("says ADH is unreachable, without a stack trace, when the role check cannot finish", async () => {
    h.adh.inject("GET /Users/:id/Roles", { status: 503, times: 20 });
    try {
      const { viewId } = await openForm(USERS.approver1);
      const update = await h.slack.waitForCall(
        "views.update",
        (c) => c.args.view_id === viewId,
        20_000,
      );
      const text = JSON.stringify(update.args.view);
      expect(text).toContain("could not be reached");
      expect(text).not.toMatch(/at .*\.js:\d+/);
    } finally {
      h.adh.clearFaults();
    }
  });

  it("refuses on submit a non-administrator whose check had not finished when the form opened", async () => {
    const { viewId } = await openForm(USERS.member);
    // Submit both panes straight away, racing the role check.
    await h.driver.submitView(
      USERS.member,
      { id: viewId, callbackId: CLIENT_FORM },
      clientFormValues(),
    );
    const posted = h.slack.callsTo("chat.postMessage").length;
    const res = await h.driver.submitView(
      USERS.member,
      { id: viewId, callbackId: SECRET_FORM },
      secretFormValues(),
    );
    expect(res.status).toBe(200);
    await h.slack.waitForCall(
      "views.update",
      (c) => c.args.view_id === viewId && JSON.stringify(c.args.view).includes("Not submitted"),
    );
    expect(
      h.slack
        .callsTo("chat.postMessage")
        .slice(posted)
        .filter((c) => c.args.channel === "C0APPROVE1"),
    ).toEqual([]);
  });
});
