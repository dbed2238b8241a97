// Socket Mode end to end: the real bot with SLACK_APP_TOKEN and no signing secret opens a
// connection through the fake's apps.connections.open, takes envelopes over the WebSocket, acks
// them there, and still serves the ops routes on PORT. No real Slack anywhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { Bot } from "../../src/bot.js";
import { APPROVE } from "../../src/slack/ids.js";
import { type FakeSlack, type SocketAck, startFakeSlack } from "../fakes/slack.js";
import {
  approve,
  type Harness,
  leakSearch,
  requestIdOf,
  startHarness,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { DEFAULT_COMMAND_CHANNEL } from "../support/slack-driver.js";

/** A slash command's envelope payload: the fields Slack form-encodes in HTTP mode, as JSON. */
function commandPayload(slack: FakeSlack, user: string, text: string) {
  return {
    token: "fakeVerificationToken0",
    team_id: slack.teamId,
    team_domain: "fake-workspace",
    channel_id: DEFAULT_COMMAND_CHANNEL,
    channel_name: DEFAULT_COMMAND_CHANNEL.toLowerCase(),
    user_id: user,
    user_name: slack.user(user)?.name ?? user.toLowerCase(),
    command: "/hybrid-client",
    text,
    api_app_id: slack.appId,
    is_enterprise_install: "false",
    response_url: slack.mintResponseUrl(),
    trigger_id: slack.mintTriggerId(),
  };
}

const base = (h: Harness) => `http://127.0.0.1:${h.bot.opsPort}`;

describe("the bot in Socket Mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ socketMode: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("connects with the app-level token alone: no signing secret, one socket", () => {
    expect(h.config.slackAppToken).toBe(h.slack.appToken);
    expect(h.config.slackSigningSecret).toBeUndefined();
    const opens = h.slack.callsTo("apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0]?.response).toMatchObject({ ok: true });
    expect(h.slack.socketConnections()).toBe(1);
    expect(h.logs.join("")).toContain('"mode":"socket"');
  });

  it("acks `/hybrid-client help` over the socket with the help message", async () => {
    const ack = await h.slack.socketSend(
      "slash_commands",
      commandPayload(h.slack, USERS.requester, "help"),
    );
    expect(ack.envelope_id).toBe(h.slack.socketEnvelopes.at(-1)?.envelope_id);
    expect(ack.payload).toMatchObject({ response_type: "ephemeral" });
    expect(String(ack.payload?.text)).toContain("Usage:");
    expect(JSON.stringify(ack.payload?.blocks)).toContain("/hybrid-client add");
    expect(ack.ms).toBeLessThan(3_000);
  });

  it("acks `/hybrid-client add` and opens the form with its trigger_id", async () => {
    const payload = commandPayload(h.slack, USERS.requester, "add billing-app");
    const ack = await h.slack.socketSend("slash_commands", payload);
    // A bare ack(): the socket client sends an empty payload.
    expect(ack.payload ?? {}).toEqual({});
    const open = await h.slack.waitForCall(
      "views.open",
      (c) => c.args.trigger_id === payload.trigger_id,
    );
    expect(open.response.ok).toBe(true);
    expect(JSON.stringify(open.args.view)).toContain("billing-app");
  });

  it("a request made through the form and approved over the socket creates the client and DMs Reveal", async () => {
    const envelopesBefore = h.slack.socketEnvelopes.length;
    // The driver's command, view submissions and click all travel down the socket.
    const approval = await submitRequest(h);
    const click = await approve(h, USERS.approver1, approval);
    expect(click.status).toBe(200);

    const dm = await waitForRevealDm(h, approval);
    expect(dm.response.ok).toBe(true);
    expect(h.adh.clients().filter((c) => c.Name === "inventory-app")).toHaveLength(1);

    const sent = h.slack.socketEnvelopes.slice(envelopesBefore);
    expect(sent.map((e) => [e.type, e.payload.type ?? e.payload.command])).toEqual([
      ["slash_commands", "/hybrid-client"],
      ["interactive", "view_submission"],
      ["interactive", "view_submission"],
      ["interactive", "block_actions"],
    ]);
    expect(sent.map((e) => e.accepts_response_payload)).toEqual([true, true, true, false]);
    const acked = new Set(h.slack.socketAcks.map((a) => a.envelope_id));
    expect(sent.every((e) => acked.has(e.envelope_id))).toBe(true);
    expect(await leakSearch(h)).toEqual([]);
  });

  it("a block_actions envelope sent by hand is acked and decided like a click over HTTP", async () => {
    const approval = await submitRequest(h, USERS.requester, { client: { name: "ledger-app" } });
    const requestId = requestIdOf(approval);
    const channel = String(approval.response.channel);
    const ts = String(approval.response.ts);
    const ack: SocketAck = await h.slack.socketSend("interactive", {
      type: "block_actions",
      user: {
        id: USERS.approver2,
        username: "approver2",
        name: "approver2",
        team_id: h.slack.teamId,
      },
      api_app_id: h.slack.appId,
      token: "fakeVerificationToken0",
      trigger_id: h.slack.mintTriggerId(),
      team: { id: h.slack.teamId, domain: "fake-workspace" },
      enterprise: null,
      is_enterprise_install: false,
      container: { type: "message", message_ts: ts, channel_id: channel, is_ephemeral: false },
      channel: { id: channel, name: channel.toLowerCase() },
      message: { type: "message", ts, text: "", blocks: approval.args.blocks },
      response_url: h.slack.mintResponseUrl({ channel, ts }),
      state: { values: {} },
      actions: [
        {
          type: "button",
          action_id: APPROVE,
          block_id: "actions",
          text: { type: "plain_text", text: "Approve" },
          value: requestId,
          action_ts: (Date.now() / 1000).toFixed(6),
        },
      ],
    });
    expect(ack.ms).toBeLessThan(3_000);
    await waitForRevealDm(h, approval);
    expect(h.adh.clients().filter((c) => c.Name === "ledger-app")).toHaveLength(1);
  });

  it("answers /healthz and /readyz on OPS_PORT, and offers no /slack/events door", async () => {
    const health = await fetch(`${base(h)}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base(h)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    // Unsigned HTTP requests have nowhere to go: events arrive only over the socket.
    const events = await fetch(`${base(h)}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "command=%2Fhybrid-client&text=help",
    });
    expect(events.status).toBe(404);
    // In Socket Mode only OPS_PORT listens.
    await expect(fetch(`http://127.0.0.1:${h.config.port}/healthz`)).rejects.toThrow();
  });

  it("reconnects when Slack asks it to refresh, and keeps serving", async () => {
    const opened = h.slack.callsTo("apps.connections.open").length;
    h.slack.socketDisconnect("refresh_requested");
    // The SDK waits clientPingTimeout (5 s) before it reconnects.
    await h.slack.waitForSocketConnection(opened + 1, 15_000);
    expect(h.slack.socketConnections()).toBe(1);
    const ack = await h.slack.socketSend(
      "slash_commands",
      commandPayload(h.slack, USERS.member, "help"),
    );
    expect(ack.payload).toMatchObject({ response_type: "ephemeral" });
  }, 20_000);

  it("stops cleanly: the socket and the ops server are closed", async () => {
    const started = performance.now();
    await h.bot.stop();
    const stopMs = performance.now() - started;
    await h.slack.waitForSocketsClosed(2_000);
    expect(stopMs).toBeLessThan(5_000);
    await expect(fetch(`${base(h)}/healthz`)).rejects.toThrow();
    await expect(
      h.slack.socketSend("slash_commands", commandPayload(h.slack, USERS.requester, "help")),
    ).rejects.toThrow(/no Socket Mode connection/);
  });
});

describe("two instances in Socket Mode", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ socketMode: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("share the envelopes over two connections; state lives in Redis, so any one can decide", async () => {
    const replica = await h.startReplica();
    expect(h.slack.socketConnections()).toBe(2);
    // Round-robin: the command, the two submissions and the click alternate between instances.
    const approval = await submitRequest(h);
    await approve(h, USERS.approver1, approval);
    await waitForRevealDm(h, approval);
    expect(h.adh.clients().filter((c) => c.Name === "inventory-app")).toHaveLength(1);
    for (const bot of [h.bot, replica.bot]) expect(await requestsServed(bot)).toBe(2);

    await Promise.all([h.bot.stop(), replica.bot.stop()]);
    await h.slack.waitForSocketsClosed(2_000);
  });
});

/** Slack requests this instance's listeners finished, from its own metrics. */
async function requestsServed(bot: Bot): Promise<number> {
  const { values } = await bot.metrics.slackRequests.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe("the fake's Socket Mode endpoint", () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
  });

  const open = (token: string) =>
    fetch(`${slack.url}apps.connections.open`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ ok: boolean; url?: string; error?: string }>);

  const connect = (url: string) =>
    new Promise<{ ws: WebSocket; hello: Record<string, unknown> }>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("message", (data) => resolve({ ws, hello: JSON.parse(String(data)) }));
      ws.once("error", reject);
    });

  it("takes only the app-level token, and the bot token only elsewhere", async () => {
    expect(await open(slack.botToken)).toMatchObject({
      ok: false,
      error: "not_allowed_token_type",
    });
    expect(await open("xapp-1-wrong")).toMatchObject({ ok: false, error: "invalid_auth" });
    const res = await fetch(`${slack.url}auth.test`, {
      method: "POST",
      headers: { authorization: `Bearer ${slack.appToken}` },
    });
    expect(await res.json()).toMatchObject({ ok: false, error: "not_allowed_token_type" });
  });

  it("says hello, records acks, and refuses a used ticket", async () => {
    const { url } = await open(slack.appToken);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=/);
    const { ws, hello } = await connect(String(url));
    expect(hello).toMatchObject({ type: "hello", connection_info: { app_id: slack.appId } });
    ws.on("message", (data) => {
      const envelope = JSON.parse(String(data)) as { envelope_id: string };
      ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: "pong" } }));
    });
    const ack = await slack.socketSend("slash_commands", { command: "/x", text: "" });
    expect(ack.payload).toEqual({ text: "pong" });
    await expect(connect(String(url))).rejects.toThrow(/401/);
    ws.close();
    await slack.waitForSocketsClosed();
  });

  it("rejects socketSend without an ack in time, or without a connection", async () => {
    await expect(slack.socketSend("interactive", { type: "block_actions" })).rejects.toThrow(
      /no Socket Mode connection/,
    );
    const { url } = await open(slack.appToken);
    const { ws } = await connect(String(url));
    await expect(slack.socketSend("interactive", { type: "block_actions" }, 200)).rejects.toThrow(
      /no ack/,
    );
    ws.close();
    await slack.waitForSocketsClosed();
  });
});

describe("a Socket Mode connection that cannot come back", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ socketMode: true, bot: { socketGraceMs: 300 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("makes /readyz fail, naming slack_socket, once it has been down past the grace period", async () => {
    expect((await fetch(`${base(h)}/readyz`)).status).toBe(200);
    // Slack refuses the reconnect for good (the SDK gives up on invalid_auth).
    h.slack.failNext("apps.connections.open", { error: "invalid_auth" }, 100);
    h.slack.socketDisconnect("refresh_requested");
    await h.slack.waitForSocketsClosed();
    type Readyz = { ready?: boolean; parts?: Record<string, { ok: boolean; error?: string }> };
    let body: Readyz = {};
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      body = (await (await fetch(`${base(h)}/readyz`)).json()) as Readyz;
      if (body.ready === false) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(body.ready).toBe(false);
    expect(body.parts?.slack_socket?.ok).toBe(false);
    expect(body.parts?.slack_socket?.error).toBeUndefined();
    expect(h.logs.join("")).toMatch(/Socket Mode connection to Slack has been down/);
    expect(body.parts?.redis?.ok).toBe(true);
  }, 30_000);
});
