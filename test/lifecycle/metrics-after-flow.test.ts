// /metrics after one whole request (submit → approve → create → reveal) on the real bot:
// every family an operator alerts on has moved off zero, and no secret made it into the text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVEAL } from "../../src/slack/ids.js";
import {
  approve,
  type Harness,
  messageTs,
  requestIdOf,
  SIGNING_SECRET,
  startHarness,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";

let h: Harness;
let text: string;
let contentType: string | null;

beforeAll(async () => {
  h = await startHarness();
  const approval = await submitRequest(h, USERS.requester, { client: { name: "metrics-app" } });
  await approve(h, USERS.approver1, approval);
  const dm = await waitForRevealDm(h, approval);
  const reveal = await h.driver.clickButton(
    USERS.requester,
    { actionId: REVEAL, value: requestIdOf(approval) },
    { channel: String(dm.response.channel), messageTs: messageTs(dm) },
  );
  const clientId = h.adh.clients().find((c) => c.Name === "metrics-app")?.Id ?? "?";
  await h.slack.waitForResponse(
    (r) => r.url === reveal.responseUrl && JSON.stringify(r.body).includes(clientId),
  );
  const res = await fetch(`http://127.0.0.1:${h.bot.opsPort}/metrics`);
  expect(res.status).toBe(200);
  contentType = res.headers.get("content-type");
  text = await res.text();
}, 30_000);
afterAll(async () => {
  await h?.close();
});

/** Sum of the samples of `name` whose labels include all of `labels`. */
function sample(name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((w) => line.includes(w)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("/metrics after a full request", () => {
  it("is Prometheus text", () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^# HELP hcb_/m);
  });

  it("counts the Slack requests by kind and outcome, and their ack latency", () => {
    expect(sample("hcb_slack_requests_total", { kind: "command", outcome: "ok" })).toBeGreaterThan(
      0,
    );
    // Approve and Reveal.
    expect(
      sample("hcb_slack_requests_total", { kind: "action", outcome: "ok" }),
    ).toBeGreaterThanOrEqual(2);
    // Both panes of the form.
    expect(
      sample("hcb_slack_requests_total", { kind: "view_submission", outcome: "ok" }),
    ).toBeGreaterThanOrEqual(2);
    for (const kind of ["command", "action", "view_submission"]) {
      expect(sample("hcb_slack_ack_latency_seconds_count", { kind })).toBeGreaterThan(0);
      expect(sample("hcb_slack_ack_latency_seconds_bucket", { kind, le: "3" })).toBeGreaterThan(0);
    }
  });

  it("counts ADH calls by route and status, with their latency", () => {
    expect(sample("hcb_adh_calls_total", { route: "POST /HybridClients", status: "201" })).toBe(1);
    expect(
      sample("hcb_adh_calls_total", { route: "POST /HybridClients/:id/Secrets", status: "201" }),
    ).toBe(1);
    expect(sample("hcb_adh_calls_total", { route: "GET /Users/:id/Roles" })).toBeGreaterThan(0);
    expect(sample("hcb_adh_call_duration_seconds_count", { route: "POST /HybridClients" })).toBe(1);
    expect(
      sample("hcb_adh_call_duration_seconds_sum", { route: "POST /HybridClients" }),
    ).toBeGreaterThan(0);
  });

  it("counts the request's lifecycle (approved, created, revealed) and the secret it now watches", () => {
    expect({
      approved: sample("hcb_approvals_total", { outcome: "approved" }),
      created: sample("hcb_approvals_total", { outcome: "created" }),
      revealed: sample("hcb_approvals_total", { outcome: "revealed" }),
      failed: sample("hcb_approvals_total", { outcome: "failed" }),
    }).toEqual({ approved: 1, created: 1, revealed: 1, failed: 0 });
    expect(sample("hcb_tracked_secrets")).toBe(1);
  });

  it("carries no secret value, credential or token", () => {
    expect(h.adh.issuedSecrets.length).toBeGreaterThan(0);
    const secrets = [
      ...h.adh.issuedSecrets,
      ...h.adh.issuedTokens,
      h.adh.clientSecret,
      h.slack.botToken,
      SIGNING_SECRET,
    ];
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
  });
});
