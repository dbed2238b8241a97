// Tenant policy end to end through the modal: each refusal inline on its own block within
// the ack, what passes goes on, and NEVER_EXPIRES=extra-approval needing one more approver.
import { describe, expect, it } from "vitest";
import { BLOCK, CLIENT_FORM, SECRET_FORM } from "../../src/slack/ids.js";
import {
  approve,
  clientFormValues,
  type Harness,
  requestIdOf,
  secretFormValues,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const DAY = 86_400_000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

async function openForm(h: Harness) {
  const before = h.slack.callsTo("views.open").length;
  await h.driver.command(USERS.requester, "add");
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= before,
  );
  return (open.response.view as { id: string }).id;
}

async function pane1(h: Harness, viewId: string, client: Record<string, unknown>) {
  const res = await h.driver.submitView(
    USERS.requester,
    { id: viewId, callbackId: CLIENT_FORM },
    clientFormValues(client),
  );
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  return res.body as { response_action?: string; errors?: Record<string, string> };
}

async function pane2(h: Harness, viewId: string, secret: Parameters<typeof secretFormValues>[0]) {
  const res = await h.driver.submitView(
    USERS.requester,
    { id: viewId, callbackId: SECRET_FORM },
    secretFormValues(secret),
  );
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  return res.body as { response_action?: string; errors?: Record<string, string> };
}

describe("MAX_SECRET_DAYS=90, NEVER_EXPIRES=deny, ALLOWED_REDIRECT_HOSTS=example.com", () => {
  const h = useHarness({
    env: { MAX_SECRET_DAYS: "90", NEVER_EXPIRES: "deny", ALLOWED_REDIRECT_HOSTS: "example.com" },
  });

  it("refuses badexample.com inline on the redirect block and takes app.example.com", async () => {
    const viewId = await openForm(h);
    const refused = await pane1(h, viewId, {
      redirectUris: "https://badexample.com/cb",
      logoutRedirectUris: "https://evil.test/out",
    });
    expect(refused.response_action).toBe("errors");
    expect(refused.errors?.[BLOCK.redirectUris]).toMatch(/badexample\.com.*ALLOWED_REDIRECT_HOSTS/);
    expect(refused.errors?.[BLOCK.logoutRedirectUris]).toMatch(/evil\.test/);
    const passed = await pane1(h, viewId, { redirectUris: "https://app.example.com/cb" });
    expect(passed.response_action).toBe("update");
  });

  it("refuses an expiry beyond 90 days and Never Expires, each on its own block", async () => {
    const viewId = await openForm(h);
    expect((await pane1(h, viewId, {})).response_action).toBe("update");
    const tooFar = await pane2(h, viewId, { expirationDate: dateIn(120) });
    expect(Object.keys(tooFar.errors ?? {})).toEqual([BLOCK.expirationDate]);
    expect(tooFar.errors?.[BLOCK.expirationDate]).toMatch(/90 days.*MAX_SECRET_DAYS/);
    const never = await pane2(h, viewId, { neverExpires: true });
    expect(Object.keys(never.errors ?? {})).toEqual([BLOCK.neverExpires]);
    expect(never.errors?.[BLOCK.neverExpires]).toMatch(/NEVER_EXPIRES=deny/);
    // Nothing reached the approvers.
    expect(
      h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0APPROVE1"),
    ).toEqual([]);
    const fine = await pane2(h, viewId, { expirationDate: dateIn(30) });
    expect(fine.response_action).toBe("update");
  });
});

describe("REQUIRE_HTTPS_REDIRECTS=true, NEVER_EXPIRES=extra-approval", () => {
  const h = useHarness({
    env: { REQUIRE_HTTPS_REDIRECTS: "true", NEVER_EXPIRES: "extra-approval" },
  });

  it("refuses http:// inline and accepts http://localhost", async () => {
    const viewId = await openForm(h);
    const refused = await pane1(h, viewId, { redirectUris: "http://app.example.com/cb" });
    expect(refused.errors?.[BLOCK.redirectUris]).toMatch(/https:\/\/.*REQUIRE_HTTPS_REDIRECTS/);
    const local = await pane1(h, viewId, { redirectUris: "http://localhost:5000/cb" });
    expect(local.response_action).toBe("update");
  });

  it("needs one more distinct approval for a never-expiring secret, and says why", async () => {
    const approval = await submitRequest(h, USERS.requester, {
      client: { name: "forever-app" },
      secret: { neverExpires: true },
    });
    const text = JSON.stringify(approval.args.blocks);
    expect(text).toContain("advises against secrets without an expiration date");
    expect(text).toContain("NEVER_EXPIRES=extra-approval");
    expect(text).toContain("0 of 2 approvals");

    expect((await approve(h, USERS.approver1, approval)).status).toBe(200);
    const requestId = requestIdOf(approval);
    const afterOne = await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === approval.response.ts && JSON.stringify(c.args.blocks).includes("1 of 2"),
    );
    expect(JSON.stringify(afterOne.args.blocks)).toContain(requestId);
    expect(h.adh.clients().filter((c) => c.Name === "forever-app")).toEqual([]);
    // The same approver again does not count twice.
    await approve(h, USERS.approver1, approval);
    expect(h.adh.clients().filter((c) => c.Name === "forever-app")).toEqual([]);

    await approve(h, USERS.approver2, approval);
    await waitForRevealDm(h, approval);
    expect(h.adh.clients().filter((c) => c.Name === "forever-app")).toHaveLength(1);
  });

  it("a secret with an expiry date still needs only APPROVALS_REQUIRED, and approvers see no warning", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "dated-app" } });
    const text = JSON.stringify(approval.args.blocks);
    expect(text).toContain("0 of 1 approvals");
    expect(text).not.toContain("advises against");
    await approve(h, USERS.approver1, approval);
    await waitForRevealDm(h, approval);
  });
});
