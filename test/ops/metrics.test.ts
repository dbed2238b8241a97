import { describe, expect, it } from "vitest";
import { adhCallObserver, createMetrics } from "../../src/ops/metrics.js";

/** Samples of one metric family from the Prometheus text, e.g. `name{labels} value`. */
function samples(text: string, name: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe("metrics", () => {
  it("exposes every named family with the hcb_ prefix after a flow's events", async () => {
    const metrics = createMetrics();
    metrics.slackRequests.inc({ kind: "command", outcome: "ok" });
    metrics.ackLatency.observe({ kind: "command" }, 0.012);
    metrics.approvals.inc({ outcome: "approved" });
    metrics.slackApiErrors.inc({ method: "chat.postMessage", error: "not_in_channel" });
    metrics.remindersSent.inc({ kind: "reminder" });
    metrics.redisErrors.inc();
    metrics.trackedSecrets.set(3);
    adhCallObserver(metrics)({ route: "POST /HybridClients", status: 201, durationMs: 250 });
    adhCallObserver(metrics)({ route: "GET /Users", status: "network", durationMs: 5 });

    const text = await metrics.registry.metrics();

    expect(samples(text, "hcb_slack_requests_total")).toContain(
      'hcb_slack_requests_total{kind="command",outcome="ok"} 1',
    );
    expect(text).toContain('hcb_slack_ack_latency_seconds_bucket{le="0.025",kind="command"} 1');
    expect(text).toContain('hcb_slack_ack_latency_seconds_bucket{le="3",kind="command"} 1');
    expect(samples(text, "hcb_approvals_total")).toContain(
      'hcb_approvals_total{outcome="approved"} 1',
    );
    expect(text).toContain('hcb_adh_calls_total{route="POST /HybridClients",status="201"} 1');
    expect(text).toContain('hcb_adh_calls_total{route="GET /Users",status="network"} 1');
    expect(text).toContain('hcb_adh_call_duration_seconds_sum{route="POST /HybridClients"} 0.25');
    expect(text).toContain(
      'hcb_slack_api_errors_total{method="chat.postMessage",error="not_in_channel"} 1',
    );
    expect(text).toContain('hcb_reminders_sent_total{kind="reminder"} 1');
    expect(samples(text, "hcb_redis_errors_total")).toEqual(["hcb_redis_errors_total 1"]);
    expect(samples(text, "hcb_tracked_secrets")).toEqual(["hcb_tracked_secrets 3"]);
    // Default process metrics land in the same registry under the same prefix.
    expect(text).toContain("hcb_process_cpu_user_seconds_total");
    expect(text).toContain("hcb_nodejs_eventloop_lag_seconds");
  });

  it("starts outcome series at zero so rate() works before the first event", async () => {
    const text = await createMetrics().registry.metrics();
    for (const outcome of [
      "approved",
      "denied",
      "cancelled",
      "expired",
      "failed",
      "created",
      "revealed",
    ]) {
      expect(text).toContain(`hcb_approvals_total{outcome="${outcome}"} 0`);
    }
    expect(text).toContain('hcb_slack_requests_total{kind="view_submission",outcome="refused"} 0');
    expect(text).toContain('hcb_reminders_sent_total{kind="finding"} 0');
  });

  it("keeps two instances in one process apart", async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.approvals.inc({ outcome: "denied" }, 2);
    expect(await a.registry.metrics()).toContain('hcb_approvals_total{outcome="denied"} 2');
    expect(await b.registry.metrics()).toContain('hcb_approvals_total{outcome="denied"} 0');
  });

  it("reads tracked secrets from the source at scrape time and survives a failing source", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let count = 7;
    let failing = false;
    metrics.setTrackedSecretsSource(async () => {
      if (failing) throw new Error("Connection is closed.");
      return count;
    });
    expect(await metrics.registry.metrics()).toContain("hcb_tracked_secrets 7");
    count = 9;
    failing = true;
    const text = await metrics.registry.metrics();
    expect(text).toContain("hcb_tracked_secrets 7");
    failing = false;
    const next = await metrics.registry.metrics();
    expect(next).toContain("hcb_tracked_secrets 9");
    // Families are collected concurrently: the failed read is counted by the next scrape.
    expect(next).toContain("hcb_redis_errors_total 1");
  });
});
