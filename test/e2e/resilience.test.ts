import { describe, expect, it } from "vitest";
import { RETRY, REVEAL } from "../../src/slack/ids.js";
import {
  APPROVAL_CHANNEL,
  approve,
  leakSearch,
  messageTs,
  requestIdOf,
  submitRequest,
  USERS,
  until,
  waitForRevealDm,
} from "../support/harness.js";
import { dumpKeys } from "../support/redis.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness();

const clientsNamed = (name: string) => h.adh.clients().filter((c) => c.Name === name);

describe("when ADH fails after approval", () => {
  it("shows the error with its Operation-Id and a Retry button; Retry creates the client", async () => {
    h.adh.inject("POST /HybridClients", { status: 500, times: 50 });
    const approval = await submitRequest(h, USERS.requester, { client: { name: "retry-app" } });
    await approve(h, USERS.approver1, approval);
    const failed = await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(approval) && JSON.stringify(c.args.blocks).includes(RETRY),
      40_000,
    );
    expect(JSON.stringify(failed.args.blocks)).toMatch(/Operation-Id/i);
    expect(clientsNamed("retry-app")).toHaveLength(0);

    h.adh.clearFaults();
    const outsider = await h.driver.clickButton(
      USERS.outsider,
      { actionId: RETRY, value: requestIdOf(approval), blockId: "actions" },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    await h.slack.waitForResponse(
      (r) => r.url === outsider.responseUrl && /approvers/.test(JSON.stringify(r.body)),
    );
    await h.driver.clickButton(
      USERS.approver2,
      { actionId: RETRY },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    await waitForRevealDm(h, approval);
    expect(clientsNamed("retry-app")).toHaveLength(1);
  }, 60_000);

  it("apply-then-fail on create: the retry's 409 means it exists — exactly one client", async () => {
    h.adh.inject("POST /HybridClients", { applyThenFail: 500 });
    const approval = await submitRequest(h, USERS.requester, { client: { name: "ambiguous-app" } });
    await approve(h, USERS.approver1, approval);
    await waitForRevealDm(h, approval);
    expect(clientsNamed("ambiguous-app")).toHaveLength(1);
    // Its initial secret (never seen by anyone) was deleted.
    expect(h.adh.secretsOf(clientsNamed("ambiguous-app")[0]!.Id)).toHaveLength(0);
  });

  it("a dropped connection on create is retried with the same Id — exactly one client", async () => {
    h.adh.inject("POST /HybridClients", { applyThenDrop: true });
    const approval = await submitRequest(h, USERS.requester, { client: { name: "dropped-app" } });
    await approve(h, USERS.approver1, approval);
    await waitForRevealDm(h, approval);
    expect(clientsNamed("dropped-app")).toHaveLength(1);
  });

  it("a restart while `creating` is reconciled on the next start — exactly one client", async () => {
    // ADH hangs on create; the bot stops (its drain gives up) with the request in `creating`.
    h.adh.inject("POST /HybridClients", { delayMs: 3_000 });
    const approval = await submitRequest(h, USERS.requester, { client: { name: "restart-app" } });
    const creates = h.adh.callsTo("POST /HybridClients").length;
    await approve(h, USERS.approver1, approval);
    await until(
      () => h.adh.callsTo("POST /HybridClients").length > creates,
      5_000,
      "a create call",
    );
    await h.bot.stop(100);
    const keys = await dumpKeys(h.prefix);
    const json =
      [...keys.entries()].find(([k]) => k.endsWith(`req:${requestIdOf(approval)}`))?.[1] ?? "";
    const stored = JSON.parse(json || "{}") as { json?: string };
    expect((JSON.parse(stored.json ?? "{}") as { status?: string }).status).toBe("creating");
    // The new instance takes over at once (the default lease, 60 s, outlasts any ADH call).
    await h.restart({ createLeaseMs: 0 });
    await waitForRevealDm(h, approval, USERS.requester, 20_000);
    expect(clientsNamed("restart-app")).toHaveLength(1);
  }, 40_000);
});

describe("replicas", () => {
  it("two instances sharing Redis, approving at once, create one client", async () => {
    const replica = await h.startReplica();
    const approval = await submitRequest(h, USERS.requester, { client: { name: "replica-app" } });
    await Promise.all([
      approve(h, USERS.approver1, approval),
      approve(replica, USERS.approver2, approval),
      approve(replica, USERS.approver1, approval),
      approve(h, USERS.approver2, approval),
    ]);
    await waitForRevealDm(h, approval);
    expect(clientsNamed("replica-app")).toHaveLength(1);
    expect(h.adh.callsTo("POST /HybridClients").length).toBeGreaterThan(0);
  });
});

describe("the reveal", () => {
  it("refuses anyone but the requester, and works for the requester afterwards", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "reveal-app" } });
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    const where = { channel: String(dm.response.channel), messageTs: messageTs(dm) };
    const stranger = await h.driver.clickButton(
      USERS.approver1,
      { actionId: REVEAL, value: requestIdOf(approval), blockId: "reveal" },
      where,
    );
    await h.slack.waitForResponse(
      (r) =>
        r.url === stranger.responseUrl &&
        /Only the person who made this request/.test(JSON.stringify(r.body)),
    );
    const clientId = clientsNamed("reveal-app")[0]!.Id;
    expect(h.adh.secretsOf(clientId)).toHaveLength(0);
    const mine = await h.driver.clickButton(USERS.requester, { actionId: REVEAL }, where);
    await h.slack.waitForResponse(
      (r) => r.url === mine.responseUrl && JSON.stringify(r.body).includes(clientId),
    );
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);
  });

  it("a failed mint leaves the button usable and shows the error; the next click works", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "mint-fail-app" } });
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    const where = { channel: String(dm.response.channel), messageTs: messageTs(dm) };
    h.adh.inject("POST /HybridClients/:id/Secrets", { status: 500 });
    const first = await h.driver.clickButton(USERS.requester, { actionId: REVEAL }, where);
    await h.slack.waitForResponse(
      (r) => r.url === first.responseUrl && /could not be created/.test(JSON.stringify(r.body)),
    );
    const second = await h.driver.clickButton(USERS.requester, { actionId: REVEAL }, where);
    const clientId = clientsNamed("mint-fail-app")[0]!.Id;
    await h.slack.waitForResponse(
      (r) => r.url === second.responseUrl && JSON.stringify(r.body).includes(clientId),
    );
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);
  });

  it("a secret that Slack refused to deliver is deleted and the button offered again", async () => {
    const approval = await submitRequest(h, USERS.requester, {
      client: { name: "undelivered-app" },
    });
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    const clientId = clientsNamed("undelivered-app")[0]!.Id;
    const deadUrl = new URL("../response/never-minted", h.slack.url).toString();
    const payload = {
      type: "block_actions",
      user: { id: USERS.requester, username: "requester", team_id: h.slack.teamId },
      api_app_id: h.slack.appId,
      team: { id: h.slack.teamId },
      trigger_id: h.slack.mintTriggerId(),
      response_url: deadUrl,
      container: { type: "message", channel_id: dm.response.channel, message_ts: messageTs(dm) },
      channel: { id: dm.response.channel },
      actions: [
        {
          type: "button",
          action_id: REVEAL,
          block_id: "reveal",
          value: requestIdOf(approval),
          action_ts: "1",
        },
      ],
    };
    const res = await h.driver.raw(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
    await until(
      () => h.logs.some((l) => l.includes("secret.revoked-undelivered") && l.includes(clientId)),
      5_000,
      "the undelivered secret revoked",
    );
    expect(h.adh.secretsOf(clientId)).toHaveLength(0);
    const where = { channel: String(dm.response.channel), messageTs: messageTs(dm) };
    const retry = await h.driver.clickButton(
      USERS.requester,
      { actionId: REVEAL, value: requestIdOf(approval), blockId: "reveal" },
      where,
    );
    await h.slack.waitForResponse(
      (r) => r.url === retry.responseUrl && JSON.stringify(r.body).includes(clientId),
    );
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);
  });

  it("no secret value reached logs, Redis or a persisted Slack message in any of the above", async () => {
    expect(h.adh.issuedSecrets.length).toBeGreaterThan(5);
    expect(await leakSearch(h)).toEqual([]);
  });
});
