// Prometheus metrics for one bot instance. Each instance owns its registry, so two bots
// in one process (tests, a blue/green swap) never clash over a global default registry.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type SlackRequestKind = "command" | "action" | "view_submission" | "other";
export type SlackRequestOutcome = "ok" | "refused" | "error";
export type ApprovalOutcome =
  | "approved"
  | "denied"
  | "cancelled"
  | "expired"
  | "failed"
  | "created"
  | "revealed";
export type ReminderKind = "reminder" | "finding";

const SLACK_REQUEST_KINDS: readonly SlackRequestKind[] = [
  "command",
  "action",
  "view_submission",
  "other",
];
const SLACK_REQUEST_OUTCOMES: readonly SlackRequestOutcome[] = ["ok", "refused", "error"];
const APPROVAL_OUTCOMES: readonly ApprovalOutcome[] = [
  "approved",
  "denied",
  "cancelled",
  "expired",
  "failed",
  "created",
  "revealed",
];
const REMINDER_KINDS: readonly ReminderKind[] = ["reminder", "finding"];

// Slack gives 3 s to ack: the buckets are dense below 1 s and end at the deadline.
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3];
const ADH_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const METRIC_PREFIX = "hcb_";

/** Source for the tracked-secrets gauge, read on every scrape (e.g. a Redis ZCARD). */
export type TrackedSecretsSource = () => number | Promise<number>;

/** Source for the audit webhook gauges, read on every scrape. */
export type AuditBacklogSource = () => Promise<{ events: number; oldestAgeSeconds: number }>;

export interface Metrics {
  registry: Registry;
  slackRequests: Counter<"kind" | "outcome">;
  ackLatency: Histogram<"kind">;
  approvals: Counter<"outcome">;
  adhCalls: Counter<"route" | "status">;
  adhLatency: Histogram<"route">;
  slackApiErrors: Counter<"method" | "error">;
  remindersSent: Counter<"kind">;
  trackedSecrets: Gauge;
  redisErrors: Counter;
  /** Sets where the tracked-secrets gauge reads its value at scrape time. */
  setTrackedSecretsSource(source: TrackedSecretsSource | undefined): void;
  auditBacklog: Gauge;
  auditOldestUnshippedAge: Gauge;
  /** Sets where the audit webhook gauges read their values (unset: no webhook, 0). */
  setAuditBacklogSource(source: AuditBacklogSource | undefined): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  }
  const registers = [registry];

  const slackRequests = new Counter({
    name: `${METRIC_PREFIX}slack_requests_total`,
    help: "Slack requests (slash commands, button clicks, view submissions) by kind and outcome.",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const ackLatency = new Histogram({
    name: `${METRIC_PREFIX}slack_ack_latency_seconds`,
    help: "Time from receiving a Slack request to acking it; Slack gives up after 3 s.",
    labelNames: ["kind"] as const,
    buckets: ACK_BUCKETS,
    registers,
  });
  const approvals = new Counter({
    name: `${METRIC_PREFIX}approvals_total`,
    help: "Request lifecycle events by outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const adhCalls = new Counter({
    name: `${METRIC_PREFIX}adh_calls_total`,
    help: 'HTTP attempts to ADH by route template and status ("network" when no status came back).',
    labelNames: ["route", "status"] as const,
    registers,
  });
  const adhLatency = new Histogram({
    name: `${METRIC_PREFIX}adh_call_duration_seconds`,
    help: "Duration of each HTTP attempt to ADH by route template.",
    labelNames: ["route"] as const,
    buckets: ADH_BUCKETS,
    registers,
  });
  const slackApiErrors = new Counter({
    name: `${METRIC_PREFIX}slack_api_errors_total`,
    help: "Slack Web API calls that failed, by method and Slack error code.",
    labelNames: ["method", "error"] as const,
    registers,
  });
  const remindersSent = new Counter({
    name: `${METRIC_PREFIX}reminders_sent_total`,
    help: "Expiry reminders and never-expires findings posted.",
    labelNames: ["kind"] as const,
    registers,
  });
  const redisErrors = new Counter({
    name: `${METRIC_PREFIX}redis_errors_total`,
    help: "Redis commands or connections that failed.",
    registers,
  });

  let trackedSecretsSource: TrackedSecretsSource | undefined;
  const trackedSecrets = new Gauge({
    name: `${METRIC_PREFIX}tracked_secrets`,
    help: "Client secrets whose expiry the bot watches.",
    registers,
    async collect() {
      if (!trackedSecretsSource) return;
      try {
        this.set(await trackedSecretsSource());
      } catch {
        // A scrape must not fail because Redis is down: keep the last value, count the error.
        redisErrors.inc();
      }
    },
  });

  // One read serves both audit gauges in a scrape: prom-client collects them one by one.
  let auditBacklogSource: AuditBacklogSource | undefined;
  let auditRead: ReturnType<AuditBacklogSource> | undefined;
  const readAuditBacklog = () => {
    if (!auditBacklogSource) return undefined;
    auditRead ??= auditBacklogSource().finally(() => {
      setTimeout(() => {
        auditRead = undefined;
      }, 0);
    });
    return auditRead;
  };
  const auditBacklog = new Gauge({
    name: `${METRIC_PREFIX}audit_webhook_backlog_events`,
    help: "Audit events not yet accepted by AUDIT_WEBHOOK_URL.",
    registers,
    async collect() {
      try {
        const read = await readAuditBacklog();
        if (read) this.set(read.events);
      } catch {
        redisErrors.inc();
      }
    },
  });
  const auditOldestUnshippedAge = new Gauge({
    name: `${METRIC_PREFIX}audit_webhook_oldest_unshipped_age_seconds`,
    help: "How long the oldest audit event not yet accepted by AUDIT_WEBHOOK_URL has waited (0: none).",
    registers,
    async collect() {
      try {
        const read = await readAuditBacklog();
        if (read) this.set(read.oldestAgeSeconds);
      } catch {
        redisErrors.inc();
      }
    },
  });

  // Series that exist from the start (at 0) make rate() and absence alerts work before
  // the first event of each kind.
  for (const kind of SLACK_REQUEST_KINDS) {
    for (const outcome of SLACK_REQUEST_OUTCOMES) slackRequests.inc({ kind, outcome }, 0);
  }
  for (const outcome of APPROVAL_OUTCOMES) approvals.inc({ outcome }, 0);
  for (const kind of REMINDER_KINDS) remindersSent.inc({ kind }, 0);

  return {
    registry,
    slackRequests,
    ackLatency,
    approvals,
    adhCalls,
    adhLatency,
    slackApiErrors,
    remindersSent,
    trackedSecrets,
    redisErrors,
    setTrackedSecretsSource(source) {
      trackedSecretsSource = source;
    },
    auditBacklog,
    auditOldestUnshippedAge,
    setAuditBacklogSource(source) {
      auditBacklogSource = source;
    },
  };
}

/** What AdhClient's `onCall` option reports for each HTTP attempt. */
export interface AdhCallObservation {
  route: string;
  status: number | "network";
  durationMs: number;
}

/** The `onCall` callback for AdhClient: counts each attempt and records its latency. */
export function adhCallObserver(metrics: Metrics): (call: AdhCallObservation) => void {
  return ({ route, status, durationMs }) => {
    metrics.adhCalls.inc({ route, status: String(status) });
    metrics.adhLatency.observe({ route }, Math.max(0, durationMs) / 1000);
  };
}
