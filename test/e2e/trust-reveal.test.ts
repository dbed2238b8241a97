// The Reveal click's answer goes only to a response_url on Slack's origin (issue 9): a
// click whose response_url points elsewhere gets nothing posted and leaves no live secret.
// And the per-user command cooldown answers politely.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVEAL } from "../../src/slack/ids.js";
import {
  approve,
  messageTs,
  requestIdOf,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness({ env: { USER_COMMANDS_PER_30S: "3" } });

/** Another origin that would gladly take a secret: it records every POST. */
let elsewhere: Server;
const received: string[] = [];
beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += String(c);
    });
    req.on("end", () => {
      received.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));

describe("Reveal's response_url", () => {
  it("a response_url on another origin gets nothing, and no secret is left live", async () => {
    const approval = await submitRequest(h);
    await approve(h, USERS.approver1, approval);
    const dm = await waitForRevealDm(h, approval);
    const requestId = requestIdOf(approval);
    const client = h.adh.clients().find((c) => c.Name === "inventory-app");
    if (!client) throw new Error("the client was not created");
    const port = (elsewhere.address() as AddressInfo).port;
    const channel = String(dm.response.channel);
    const payload = {
      type: "block_actions",
      user: {
        id: USERS.requester,
        username: "requester",
        name: "requester",
        team_id: h.slack.teamId,
      },
      api_app_id: h.slack.appId,
      token: "fakeVerificationToken0",
      trigger_id: "1.2.3",
      team: { id: h.slack.teamId, domain: "fake-workspace" },
      container: { type: "message", message_ts: messageTs(dm), channel_id: channel },
      channel: { id: channel, name: "directmessage" },
      response_url: `http://127.0.0.1:${port}/actions/T0FAKETEAM/1/steal`,
      actions: [
        {
          type: "button",
          action_id: REVEAL,
          block_id: "actions",
          value: requestId,
          action_ts: String(Date.now() / 1000),
        },
      ],
    };
    const sent = await h.driver.raw(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    );
    expect(sent.status).toBe(200);
    // The bot logs the refusal; by then nothing was minted or posted.
    await expect
      .poll(() => h.logs.some((l) => l.includes("response_url not on Slack's origin")))
      .toBe(true);
    expect(received).toEqual([]);
    expect(h.adh.callsTo("POST /HybridClients/:id/Secrets")).toHaveLength(0);
    expect(h.adh.secretsOf(client.Id)).toHaveLength(0);
  });
});

describe("per-user command cooldown", () => {
  it("the fourth command within 30 s is answered politely and does nothing", async () => {
    const user = USERS.approver2;
    for (let i = 0; i < 3; i++) {
      const ok = await h.driver.command(user, "help");
      expect(JSON.stringify(ok.body)).not.toContain("try again in");
    }
    const opened = h.slack.callsTo("views.open").length;
    const fourth = await h.driver.command(user, "add");
    expect(fourth.status).toBe(200);
    expect(JSON.stringify(fourth.body)).toMatch(
      /3 commands in the last 30 seconds.*try again in \d+ second/,
    );
    // Another person is not slowed down by it.
    const other = await h.driver.command(USERS.approver1, "help");
    expect(JSON.stringify(other.body)).not.toContain("try again in");
    expect(h.slack.callsTo("views.open")).toHaveLength(opened);
  });
});
