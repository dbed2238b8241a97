// The audit trail end to end: the real bot's create → reveal flow and a denied request
// leave their events in order, with stable ids (double clicks add none); every event is
// POSTed, signed, to a webhook; no secret ADH issued reaches the stream or the webhook
// bodies; `/hybrid-client audit` answers administrators and approvers only.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENY, DENY_FORM, REVEAL } from "../../src/slack/ids.js";
import type { AuditEvent } from "../../src/store/audit-event.js";
import {
  APPROVAL_CHANNEL,
  approve,
  freePort,
  leakSearch,
  messageTs,
  requestIdOf,
  submitRequest,
  USERS,
  until,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const WEBHOOK_SECRET = "audit-webhook-secret-0123456789abcdef";
const received: { body: string; signature: string }[] = [];
let receiver: Server;
let webhookPort = 0;

beforeAll(async () => {
  webhookPort = await freePort();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: String(req.headers["x-audit-signature"] ?? ""),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(webhookPort, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const h = useHarness({
  env: {
    get AUDIT_WEBHOOK_URL() {
      return `http://127.0.0.1:${webhookPort}/audit`;
    },
    AUDIT_WEBHOOK_SECRET: WEBHOOK_SECRET,
  },
});

async function eventsOf(requestId: string): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  for await (const e of h.bot.audit.export()) all.push(e);
  return all.filter((e) => e.requestId === requestId);
}

describe("audit events of whole flows", () => {
  let createdRequest = "";

  it("create → reveal: submitted, approved, created, minted, revealed, in order, once each", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "audited-app" } });
    const requestId = requestIdOf(approval);
    createdRequest = requestId;
    await approve(h, USERS.approver1, approval);
    // A double click (or Slack's redelivery) changes nothing, so records nothing.
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    const where = { channel: String(dm.response.channel), messageTs: messageTs(dm) };
    await h.driver.clickButton(USERS.requester, { actionId: REVEAL }, where);
    await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(dm) && !JSON.stringify(c.args.blocks).includes(REVEAL),
    );
    const value = String(
      (dm.args.blocks as { elements?: { value?: string }[] }[])
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.value)?.value,
    );
    await h.driver.clickButton(
      USERS.requester,
      { actionId: REVEAL, blockId: "stale", value },
      where,
    );
    await until(
      () => h.slack.responses.some((r) => JSON.stringify(r.body).includes("already revealed")),
      5_000,
      "the second reveal refused",
    );

    const events = await eventsOf(requestId);
    expect(events.map((e) => e.type)).toEqual([
      "request.submitted",
      "request.approved",
      "client.created",
      "secret.minted",
      "secret.revealed",
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.map((e) => e.actor)).toEqual([
      // The requester's ADH user is known at submit (the role check found it by email).
      { slack: USERS.requester, adh: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { slack: USERS.approver1 },
      "system",
      { slack: USERS.requester },
      { slack: USERS.requester },
    ]);
    const clientId = h.adh.clients().find((c) => c.Name === "audited-app")?.Id;
    for (const e of events) {
      expect(e).toMatchObject({ v: 1, requestId, clientId });
      expect(Date.parse(e.at)).not.toBeNaN();
    }
    expect(events[1]?.details).toMatchObject({ approvals: 1, approvalsRequired: 1 });
    expect(await h.bot.audit.verify()).toMatchObject({ ok: true });
  });

  it("a denied request: submitted then denied, and a late Approve adds nothing", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "denied-app" } });
    const requestId = requestIdOf(approval);
    const opens = h.slack.callsTo("views.open").length;
    await h.driver.clickButton(
      USERS.approver2,
      { actionId: DENY },
      { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
    );
    const open = await h.slack.waitForCall(
      "views.open",
      (c) =>
        h.slack.callsTo("views.open").indexOf(c) >= opens &&
        JSON.stringify(c.args.view).includes(DENY_FORM),
    );
    const viewId = (open.response.view as { id: string }).id;
    await h.driver.submitView(
      USERS.approver2,
      { id: viewId, callbackId: DENY_FORM },
      { deny_reason: { deny_reason: "not needed" } },
    );
    await h.slack.waitForCall(
      "chat.update",
      (c) => c.args.ts === messageTs(approval) && JSON.stringify(c.args.blocks).includes("enied"),
    );
    await approve(h, USERS.approver1, approval);
    const events = await eventsOf(requestId);
    expect(events.map((e) => e.type)).toEqual(["request.submitted", "request.denied"]);
    expect(events[1]).toMatchObject({
      actor: { slack: USERS.approver2 },
      details: { reason: "not needed" },
    });
  });

  it("the webhook got every event once, in order, signed; no secret in the stream or the bodies", async () => {
    const appended = await h.bot.audit.appendedCount();
    await until(() => received.length >= appended, 15_000, "the webhook caught up");
    const ids = received.map((r) => (JSON.parse(r.body) as AuditEvent).id);
    const stored: string[] = [];
    for await (const e of h.bot.audit.export()) stored.push(e.id);
    expect(ids).toEqual(stored);
    for (const r of received) {
      const expected = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(r.body).digest("hex")}`;
      expect(r.signature).toBe(expected);
    }
    const types = received.map((r) => (JSON.parse(r.body) as AuditEvent).type);
    expect(types).toContain("secret.revealed");

    expect(h.adh.issuedSecrets.length).toBeGreaterThan(0);
    const stream = JSON.stringify(await h.bot.redis.xrange("audit:stream", "-", "+"));
    const bodies = received.map((r) => r.body).join("\n");
    for (const secret of [...h.adh.issuedSecrets, h.adh.clientSecret, ...h.adh.issuedTokens]) {
      expect(stream).not.toContain(secret);
      expect(bodies).not.toContain(secret);
    }
    expect(await leakSearch(h, { webhookBodies: received.map((r) => r.body) })).toEqual([]);
    expect(createdRequest).not.toBe("");
  });
});

describe("/hybrid-client audit", () => {
  async function auditAnswer(user: string, text = "audit") {
    const before = h.slack.responses.length;
    const res = await h.driver.command(user, text);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    return h.slack.waitForResponse(
      (r) =>
        h.slack.responses.indexOf(r) >= before &&
        (r.body as { replace_original?: boolean }).replace_original === true,
    );
  }

  it("shows an approver the last 20 events, newest first, ephemeral, with Slack dates", async () => {
    const answer = await auditAnswer(USERS.approver1);
    const body = answer.body as { response_type: string; blocks: unknown[] };
    expect(body.response_type).toBe("ephemeral");
    const text = JSON.stringify(body.blocks);
    expect(text).toContain("<!date^");
    expect(text).toContain("secret.revealed");
    expect(text).toContain("request.denied");
    const lines = body.blocks.filter((b) => JSON.stringify(b).includes("<!date^"));
    expect(lines.length).toBeLessThanOrEqual(20);
    // Newest first: the denial came after the reveal.
    expect(text.indexOf("request.denied")).toBeLessThan(text.indexOf("secret.revealed"));
  });

  it("shows a Tenant Administrator who is not an approver one client's events", async () => {
    const clientId = h.adh.clients().find((c) => c.Name === "audited-app")?.Id ?? "";
    const answer = await auditAnswer(USERS.requester, `audit ${clientId.toUpperCase()}`);
    const text = JSON.stringify(answer.body);
    expect(text).toContain("client.created");
    expect(text).not.toContain("request.denied");
  });

  it("refuses a user who is neither an administrator nor an approver", async () => {
    const answer = await auditAnswer(USERS.member);
    const text = JSON.stringify(answer.body);
    expect(text).toContain("Only Tenant Administrators");
    expect(text).not.toContain("<!date^");
  });

  it("is listed in the help", async () => {
    const res = await h.driver.command(USERS.member, "help");
    expect(JSON.stringify(res.body)).toContain("audit [client-id]");
  });
});
