// The two doors of the bot in HTTP mode: PORT serves POST /slack/events only, OPS_PORT
// serves /healthz, /readyz and /metrics only. Bodies over 1 MB are refused unread (413),
// and /readyz never shows a dependency's own error text.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, SIGNING_SECRET, startHarness, USERS } from "../support/harness.js";
import { signSlackRequest } from "../support/slack-driver.js";

const ONE_MB = 1024 * 1024;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const slackPort = () => `http://127.0.0.1:${h.bot.port}`;
const opsPort = () => `http://127.0.0.1:${h.bot.opsPort}`;

/** A signed POST to /slack/events; `chunked` sends no Content-Length. */
function postSigned(
  body: string,
  opts: { chunked?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string | number> = {
    "content-type": "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": signSlackRequest(SIGNING_SECRET, timestamp, body),
  };
  if (!opts.chunked) headers["content-length"] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${slackPort()}/slack/events`,
      { method: "POST", headers, timeout: 8_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on("error", reject);
    // The bot may answer and close before the whole body is sent: that is the point.
    req.on("timeout", () => req.destroy(new Error("no answer")));
    if (opts.chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe("PORT and OPS_PORT", () => {
  it("PORT answers 404 to the ops routes and to anything but POST /slack/events", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/", "/slack/events"]) {
      const res = await fetch(`${slackPort()}${path}`);
      expect(res.status, `GET ${path} on PORT`).toBe(404);
      expect(await res.text()).toBe("");
    }
    const other = await fetch(`${slackPort()}/slack/install`, { method: "POST", body: "x" });
    expect(other.status).toBe(404);
  });

  it("OPS_PORT serves /healthz, /readyz and /metrics, and nothing else", async () => {
    const health = await fetch(`${opsPort()}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${opsPort()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      parts: { redis: { ok: true }, slack: { ok: true }, adh: { ok: true } },
      failing: [],
    });
    const metrics = await fetch(`${opsPort()}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("hcb_slack_requests_total");
    const events = await fetch(`${opsPort()}/slack/events`, { method: "POST", body: "x=1" });
    expect(events.status).toBe(404);
  });

  it("Slack requests still work on PORT", async () => {
    const res = await h.driver.command(USERS.member, "help");
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain("hybrid-client");
  });
});

describe("body size", () => {
  it("a signed body of 1 MB + 1 byte is refused with 413, declared or chunked", async () => {
    const body = `command=%2Fhybrid-client&text=${"a".repeat(ONE_MB + 1 - 30)}`;
    expect(Buffer.byteLength(body)).toBe(ONE_MB + 1);
    const calls = h.slack.calls.length;
    expect((await postSigned(body)).status).toBe(413);
    expect((await postSigned(body, { chunked: true })).status).toBe(413);
    expect(h.slack.calls.length).toBe(calls);
  });

  it("a signed body of exactly 1 MB is read and verified (not 413)", async () => {
    const body = `payload=${"a".repeat(ONE_MB - 8)}`;
    expect(Buffer.byteLength(body)).toBe(ONE_MB);
    // Verified, then found not to be a Slack payload: a 4xx other than 413.
    const answer = await postSigned(body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.status).not.toBe(413);
  });
});

describe("/readyz while ADH refuses the bot", () => {
  let bad: Harness;
  beforeAll(async () => {
    bad = await startHarness({ env: { ADH_CLIENT_SECRET: "not-the-secret-at-all" } });
  });
  afterAll(async () => {
    await bad?.close();
  });

  it("names adh as failing without ADH's error text; the details are in the log", async () => {
    const res = await fetch(`http://127.0.0.1:${bad.bot.opsPort}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      ready: false,
      parts: { redis: { ok: true }, slack: { ok: true }, adh: { ok: false } },
      failing: ["adh"],
    });
    expect(text).not.toMatch(/error|operation|invalid|client|token|http/i);
    const notReady = bad.logs.find((l) => l.includes('"not ready"'));
    expect(notReady, "a log line says why").toBeDefined();
    expect(notReady).toMatch(/"adh":\{"ok":false,"error":"[^"]+/);
  });
});
