// Configuration: one zod schema over the environment. A bad start-up lists every
// problem at once, with how to fix it, and never echoes a secret value.
import { existsSync } from "node:fs";
import { z } from "zod";
import { connectionEnv } from "./config/connection-env.js";
import { workflowEnv } from "./config/workflow-env.js";
import type { NeverExpiresRule } from "./policy-settings.js";

const envSchema = z.object({ ...connectionEnv, ...workflowEnv });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  slackBotToken: string;
  /** Set: Socket Mode. Unset: HTTP mode on PORT at /slack/events. */
  slackAppToken: string | undefined;
  slackSigningSecret: string | undefined;
  slackApiUrl: string | undefined;
  /** Requests naming another api_app_id are ignored; unset: not checked. */
  slackAppId: string | undefined;
  port: number;
  /** /healthz, /readyz, /metrics; HTTP mode's PORT serves POST /slack/events only. */
  opsPort: number;
  adhBaseUrl: string;
  adhTenantId: string;
  adhClientId: string;
  adhClientSecret: string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** Sentinel mode when both are set. */
  redisSentinels: string[];
  redisSentinelMaster: string | undefined;
  redisSentinelPassword: string | undefined;
  /** Cluster mode when set. */
  redisClusterNodes: string[];
  approvalChannel: string;
  /** Individual approvers: user ids (U…/W…). */
  approverUsers: string[];
  /** Approver user groups (S…), expanded through usergroups.users.list. */
  approverGroups: string[];
  approvalsRequired: number;
  allowSelfApproval: boolean;
  requestTtlHours: number;
  reminderChannel: string | undefined;
  reminderDays: number[];
  reminderIntervalSeconds: number;
  tenantSyncIntervalSeconds: number;
  /** How long a `creating` request is left to the instance that started it before another takes it over. */
  createLeaseMs: number;
  maxOpenRequestsPerUser: number;
  /** Slash commands per user per 30 s; 0: no limit. */
  userCommandsPer30s: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  maxSecretDays: number | undefined;
  neverExpires: NeverExpiresRule;
  /** Host suffixes in ASCII (punycode) form; empty: any host. */
  allowedRedirectHosts: string[];
  requireHttpsRedirects: boolean;
  auditRetentionDays: number;
  auditWebhookUrl: string | undefined;
  auditWebhookSecret: string | undefined;
  /** Minutes between approver reminders in the request's thread; 0: none. */
  approvalReminderMinutes: number;
  approvalRemindersMax: number;
  /** Who is mentioned, and may decide, once a request waited ESCALATE_AFTER_MINUTES. */
  escalationUsers: string[];
  escalationGroups: string[];
  escalateAfterMinutes: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Parses the environment. Never throws; never includes a value in its message. */
export function parseConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.push(
      "SLACK_SIGNING_SECRET: is required in HTTP mode (no SLACK_APP_TOKEN): copy it from your Slack app's Basic Information page, or set SLACK_APP_TOKEN to use Socket Mode",
    );
  }
  if (parsed.success && !env.SLACK_APP_TOKEN?.trim() && parsed.data.OPS_PORT === parsed.data.PORT) {
    problems.push("OPS_PORT: must differ from PORT (PORT serves Slack only)");
  }
  if (env.REDIS_SENTINELS?.trim() && !env.REDIS_SENTINEL_MASTER?.trim()) {
    problems.push(
      "REDIS_SENTINEL_MASTER: is required with REDIS_SENTINELS: the master group name the sentinels monitor (e.g. mymaster)",
    );
  }
  if (env.REDIS_CLUSTER_NODES?.trim() && env.REDIS_SENTINELS?.trim()) {
    problems.push(
      "REDIS_CLUSTER_NODES: set either REDIS_CLUSTER_NODES (Redis Cluster) or REDIS_SENTINELS (Sentinel), not both",
    );
  }
  if (env.AUDIT_WEBHOOK_URL?.trim() && !env.AUDIT_WEBHOOK_SECRET?.trim()) {
    problems.push(
      "AUDIT_WEBHOOK_SECRET: is required with AUDIT_WEBHOOK_URL: a long random string shared with the receiver, which checks each event's X-Audit-Signature with it",
    );
  }
  if (!parsed.success || problems.length > 0) {
    return {
      ok: false,
      message: `hybrid-client-bot cannot start; fix these settings (environment or .env):\n${problems
        .map((p) => `  - ${p}`)
        .join("\n")}`,
    };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      slackBotToken: e.SLACK_BOT_TOKEN,
      slackAppToken: e.SLACK_APP_TOKEN,
      slackSigningSecret: e.SLACK_SIGNING_SECRET,
      slackApiUrl: e.SLACK_API_URL,
      slackAppId: e.SLACK_APP_ID,
      port: e.PORT,
      opsPort: e.OPS_PORT,
      adhBaseUrl: (e.ADH_BASE_URL as string).replace(/\/+$/, ""),
      adhTenantId: e.ADH_TENANT_ID,
      adhClientId: e.ADH_CLIENT_ID,
      adhClientSecret: e.ADH_CLIENT_SECRET,
      redisUrl: e.REDIS_URL as string,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      redisSentinels: e.REDIS_SENTINELS,
      redisSentinelMaster: e.REDIS_SENTINEL_MASTER,
      redisSentinelPassword: e.REDIS_SENTINEL_PASSWORD,
      redisClusterNodes: e.REDIS_CLUSTER_NODES,
      approvalChannel: e.APPROVAL_CHANNEL,
      approverUsers: e.APPROVERS.filter((id) => !id.startsWith("S")),
      approverGroups: e.APPROVERS.filter((id) => id.startsWith("S")),
      approvalsRequired: e.APPROVALS_REQUIRED,
      allowSelfApproval: e.ALLOW_SELF_APPROVAL,
      requestTtlHours: e.REQUEST_TTL_HOURS,
      reminderChannel: e.REMINDER_CHANNEL,
      reminderDays: e.REMINDER_DAYS,
      reminderIntervalSeconds: e.REMINDER_INTERVAL_SECONDS,
      tenantSyncIntervalSeconds: e.TENANT_SYNC_INTERVAL_SECONDS,
      createLeaseMs: e.CREATE_LEASE_SECONDS * 1_000,
      maxOpenRequestsPerUser: e.MAX_OPEN_REQUESTS_PER_USER,
      userCommandsPer30s: e.USER_COMMANDS_PER_30S,
      logLevel: e.LOG_LEVEL,
      maxSecretDays: e.MAX_SECRET_DAYS,
      neverExpires: e.NEVER_EXPIRES,
      allowedRedirectHosts: e.ALLOWED_REDIRECT_HOSTS,
      requireHttpsRedirects: e.REQUIRE_HTTPS_REDIRECTS,
      auditRetentionDays: e.AUDIT_RETENTION_DAYS,
      auditWebhookUrl: e.AUDIT_WEBHOOK_URL,
      auditWebhookSecret: e.AUDIT_WEBHOOK_SECRET,
      approvalReminderMinutes: e.APPROVAL_REMINDER_MINUTES,
      approvalRemindersMax: e.APPROVAL_REMINDERS_MAX,
      escalationUsers: e.ESCALATION_APPROVERS.filter((id) => !id.startsWith("S")),
      escalationGroups: e.ESCALATION_APPROVERS.filter((id) => id.startsWith("S")),
      escalateAfterMinutes: e.ESCALATE_AFTER_MINUTES,
    },
  };
}

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
