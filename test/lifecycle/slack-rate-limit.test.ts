// Slack answers 429 to the post of a new request: the bot waits out Retry-After and posts
// it, and meanwhile keeps answering everyone else — the pause is per Web API client, and
// the workflow's client is not the one Bolt's listeners use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APPROVAL_CHANNEL,
  type Harness,
  startHarness,
  submitRequest,
  USERS,
} from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("Slack rate-limits chat.postMessage during a submit", () => {
  it("posts the request after Retry-After, while other commands are answered at once", async () => {
    h.slack.failNext("chat.postMessage", { ratelimited: { retryAfter: 1 } });
    // submitRequest resolves on the first post to the channel: the refused one.
    const limited = await submitRequest(h, USERS.requester, {
      client: { name: "ratelimited-app" },
    });
    expect(limited.status).toBe(429);

    // While the workflow's client waits out the 429:
    const help = await h.driver.command(USERS.member, "help");
    expect(help.status).toBe(200);
    expect(help.ms).toBeLessThan(3_000);
    expect(JSON.stringify(help.body)).toMatch(/Usage/);
    const add = await h.driver.command(USERS.approver2, "add");
    expect(add.ms).toBeLessThan(3_000);
    const opened = await h.slack.waitForCall(
      "views.open",
      (c) => c.args.trigger_id === add.triggerId,
    );

    const posted = await h.slack.waitForCall(
      "chat.postMessage",
      (c) =>
        c.status === 200 &&
        c.args.channel === APPROVAL_CHANNEL &&
        JSON.stringify(c.args.blocks).includes("ratelimited-app"),
    );
    // Retry-After (1 s) was honoured, and the other user's modal did not wait for it.
    expect(posted.at - limited.at).toBeGreaterThanOrEqual(1_000);
    expect(opened.at).toBeLessThan(posted.at);
    expect(opened.at - limited.at).toBeLessThan(1_000);
    // Posted once: the retry after the 429 did not double it.
    const approvals = h.slack
      .callsTo("chat.postMessage")
      .filter(
        (c) =>
          c.status === 200 &&
          c.args.channel === APPROVAL_CHANNEL &&
          JSON.stringify(c.args.blocks).includes("ratelimited-app"),
      );
    expect(approvals).toHaveLength(1);
  }, 20_000);
});
