// The request workflow over its ports: the store, ADH, the Slack people and notifier
// adapters, the reminders' tracker, the tenant's policy and the audit trail.
import { UserDirectory } from "../adh/users.js";
import type { ApprovalOutcome } from "../ops/metrics.js";
import type { ReminderService } from "../reminders/service.js";
import { RequestWorkflow } from "../requests/workflow.js";
import { SlackNotifier } from "../slack/notifier.js";
import { SlackPeople } from "../slack/people.js";
import { SlackReminderChannels } from "../slack/reminder-channels.js";
import { createSlackClient } from "../slack/web-client.js";
import type { AuditTrail } from "../store/audit-stream.js";
import { DmThreadStore } from "../store/dm-threads.js";
import type { RequestStore } from "../store/request-store.js";
import { RetirementStore } from "../store/retirements.js";
import { UnrevealedIndex } from "../store/unrevealed-index.js";
import type { Wiring } from "./shared.js";

/** Audit events counted in hcb_approvals_total, by outcome. */
const APPROVAL_EVENTS: Record<string, ApprovalOutcome> = {
  "request.approved": "approved",
  "request.denied": "denied",
  "request.cancelled": "cancelled",
  "request.expired": "expired",
  "request.failed": "failed",
  "client.created": "created",
  "secret.revealed": "revealed",
};

export function hasEscalation(w: Wiring): boolean {
  return w.config.escalationUsers.length + w.config.escalationGroups.length > 0;
}

export function createWorkflow(
  w: Wiring,
  parts: {
    store: RequestStore;
    audit: AuditTrail;
    reminders: ReminderService;
    createLeaseMs: number | undefined;
  },
): RequestWorkflow {
  const { config, logger, metrics, redis, adh, slack, now } = w;
  return new RequestWorkflow({
    trail: parts.audit,
    policy: {
      maxSecretDays: config.maxSecretDays,
      neverExpires: config.neverExpires,
      allowedRedirectHosts: config.allowedRedirectHosts,
      requireHttpsRedirects: config.requireHttpsRedirects,
    },
    store: parts.store,
    adh,
    directory: new UserDirectory({ adh, redis, logger }),
    people: new SlackPeople({
      client: slack,
      approverUsers: config.approverUsers,
      approverGroups: config.approverGroups,
      now,
    }),
    notifier: new SlackNotifier({
      client: slack,
      updateClient: createSlackClient(config.slackBotToken, config.slackApiUrl, logger, {
        retries: false,
      }),
      approvalChannel: config.approvalChannel,
      approvalsRequired: config.approvalsRequired,
      logger,
      onApiError: (method: string, error: string) => metrics.slackApiErrors.inc({ method, error }),
      now,
      dmThreads: new DmThreadStore(redis),
    }),
    tracker: parts.reminders,
    logger: logger.child({ component: "workflow" }),
    approvalsRequired: config.approvalsRequired,
    allowSelfApproval: config.allowSelfApproval,
    requestTtlMs: config.requestTtlHours * 3_600_000,
    maxOpenRequestsPerUser: config.maxOpenRequestsPerUser,
    channels: new SlackReminderChannels(slack),
    unrevealed: new UnrevealedIndex(redis),
    retirements: new RetirementStore(redis),
    createLeaseMs: parts.createLeaseMs ?? config.createLeaseMs,
    now,
    onEvent: (event) => {
      const outcome = APPROVAL_EVENTS[event];
      if (outcome) metrics.approvals.inc({ outcome });
    },
    escalation: hasEscalation(w)
      ? {
          people: new SlackPeople({
            client: slack,
            approverUsers: config.escalationUsers,
            approverGroups: config.escalationGroups,
            now,
          }),
          afterMs: config.escalateAfterMinutes * 60_000,
        }
      : undefined,
  });
}
