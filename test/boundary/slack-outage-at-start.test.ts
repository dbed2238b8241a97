// Slack unreachable when the bot starts (issue 15, item 1). The identity lookup
// (auth.test) and Socket Mode's apps.connections.open are retried with backoff; /readyz
// says slack is not ready meanwhile; once Slack answers, commands are served without a
// restart. Before, Bolt kept its first failed auth.test for good.
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_FORM } from "../../src/slack/ids.js";
import { type Harness, startHarness, USERS, until } from "../support/harness.js";

type Readyz = { ready: boolean; parts: Record<string, { ok: boolean }>; failing: string[] };

async function readyz(h: Harness): Promise<{ status: number; body: Readyz }> {
  const res = await fetch(`http://127.0.0.1:${h.bot.opsPort}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz };
}

async function readyzUntil(h: Harness, status: number, timeoutMs: number): Promise<Readyz> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await readyz(h);
    if (answer.status === status) return answer.body;
    if (Date.now() > deadline) throw new Error(`/readyz still ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every line the bot wrote is JSON (no raw stack traces). */
function expectJsonOnly(h: Harness): void {
  for (const line of h.logs.join("").split("\n").filter(Boolean)) {
    expect(() => JSON.parse(line), line).not.toThrow();
  }
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("Slack down at start-up, HTTP mode", () => {
  it("is not ready until Slack answers, then serves commands without a restart", async () => {
    h = await startHarness({ slackDownAtStart: true });
    const down = await readyzUntil(h, 503, 5_000);
    expect(down.failing).toContain("slack");
    expect(down.parts.redis?.ok).toBe(true);
    // A command during the outage is acked; nothing can be done for it yet.
    const during = await h.driver.command(USERS.member, "help");
    expect(during.status).toBe(200);
    expect(during.ms).toBeLessThan(3_000);
    await until(
      () => h?.logs.some((l) => l.includes("Slack did not answer auth.test")) ?? false,
      5_000,
      "a retry line",
    );

    h.slack.setDown(false);
    await readyzUntil(h, 200, 15_000);
    const help = await h.driver.command(USERS.member, "help");
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.body)).toContain("/hybrid-client");
    const open = h.driver.command(USERS.requester, "add");
    const opened = await h.slack.waitForCall("views.open");
    expect((await open).status).toBe(200);
    expect(JSON.stringify(opened.args)).toContain(CLIENT_FORM);
    expect(h.bot.identity.current?.teamId).toBe(h.slack.teamId);
    expectJsonOnly(h);
  }, 30_000);
});

describe("Slack down at start-up, Socket Mode", () => {
  it("retries apps.connections.open with log lines, then connects and serves", async () => {
    h = await startHarness({
      socketMode: true,
      slackDownAtStart: true,
      bot: { socketStartWaitMs: 0 },
    });
    const down = await readyzUntil(h, 503, 5_000);
    expect(down.failing).toEqual(expect.arrayContaining(["slack", "slack_socket"]));
    // Nothing listens on PORT in Socket Mode, the ops port answers.
    await expect(fetch(`http://127.0.0.1:${h.config.port}/healthz`)).rejects.toThrow();
    expect(h.logs.join("")).toContain("Socket Mode connecting to Slack");

    h.slack.setDown(false);
    await h.slack.waitForSocketConnection(1, 25_000);
    await readyzUntil(h, 200, 10_000);
    const ack = await h.slack.socketSend("slash_commands", {
      token: "x",
      team_id: h.slack.teamId,
      channel_id: "C0GENERAL1",
      user_id: USERS.member,
      user_name: "member",
      command: "/hybrid-client",
      text: "help",
      api_app_id: h.slack.appId,
      response_url: h.slack.mintResponseUrl(),
      trigger_id: h.slack.mintTriggerId(),
    });
    expect(JSON.stringify(ack.payload)).toContain("/hybrid-client");
    expectJsonOnly(h);
  }, 45_000);
});
