// Configuration: one zod schema over the environment. A bad start-up lists every
// problem at once, with how to fix it, and never echoes a secret value.
import { existsSync } from "node:fs";
import { z } from "zod";
import { type NeverExpiresRule, normalizeHostSuffix } from "./policy-settings.js";

const SLACK_USER_OR_GROUP = /^[UWS][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const bool = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (["true", "1", "yes"].includes(v)) return true;
      if (["false", "0", "no"].includes(v)) return false;
      ctx.addIssue({ code: "custom", message: "expected true or false" });
      return z.NEVER;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const required = (hint: string) =>
  z
    .string({ error: `is required: ${hint}` })
    .trim()
    .min(1, { error: `is required: ${hint}` });

const url = (fallback: string | undefined, hint: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === "" ? fallback : v;
      if (value === undefined) return undefined;
      try {
        const u = new URL(value);
        if (!/^(https?|rediss?):$/.test(u.protocol)) throw new Error("scheme");
        return value;
      } catch {
        ctx.addIssue({ code: "custom", message: `expected a URL: ${hint}` });
        return z.NEVER;
      }
    });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** `host:port,host:port`; empty or unset: none. */
const hostPorts = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = entries.filter((s) => !/^[^\s:]+:\d{1,5}$/.test(s));
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected host:port,host:port (e.g. redis-sentinel-0:26379,redis-sentinel-1:26379)`,
        });
        return z.NEVER;
      }
      return entries;
    });

const envSchema = z.object({
  SLACK_BOT_TOKEN: required(
    "the bot token (xoxb-…) from your Slack app's OAuth & Permissions page",
  ).refine((v) => v.startsWith("xoxb-"), { error: "expected a bot token starting with xoxb-" }),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || v.startsWith("xapp-"), {
      error: "expected an app-level token starting with xapp- (or leave unset for HTTP mode)",
    }),
  SLACK_SIGNING_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  SLACK_APP_ID: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^A[A-Z0-9]{2,}$/.test(v), {
      error:
        "expected the App ID from your Slack app's Basic Information page (A…), or leave unset",
    }),
  SLACK_API_URL: url(undefined, "the base URL of the Slack Web API, e.g. https://slack.com/api/"),
  PORT: int(3000, 1, 65535),
  // /healthz, /readyz and /metrics live here, never on PORT (0: any free port).
  OPS_PORT: int(9091, 0, 65535),
  ADH_BASE_URL: url(
    "https://uswe.datahub.connect.aveva.com",
    "the ADH host, e.g. https://uswe.datahub.connect.aveva.com",
  ),
  ADH_TENANT_ID: required("your ADH tenant id (a GUID, shown in the portal's URL)").refine(
    (v) => GUID.test(v),
    { error: "expected a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301" },
  ),
  ADH_CLIENT_ID: required("the client id of the bot's own client-credentials client in ADH"),
  ADH_CLIENT_SECRET: required("the secret of the bot's own client-credentials client in ADH"),
  REDIS_URL: url(
    "redis://127.0.0.1:6379",
    "e.g. redis://127.0.0.1:6379 or rediss://user:pass@host:6380/0",
  ),
  REDIS_SENTINELS: hostPorts(),
  REDIS_SENTINEL_MASTER: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
  REDIS_CLUSTER_NODES: hostPorts(),
  REDIS_KEY_PREFIX: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? "hcb:" : v)),
  APPROVAL_CHANNEL: required("the id of the channel where requests are posted (C…)").refine(
    (v) => CHANNEL_ID.test(v),
    { error: "expected a channel id such as C0123ABCD (right-click the channel > Copy link)" },
  ),
  APPROVERS: required("comma-separated Slack user ids (U…) or user group ids (S…)").transform(
    (v, ctx) => {
      const ids = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = ids.filter((id) => !SLACK_USER_OR_GROUP.test(id));
      if (ids.length === 0 || bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected comma-separated Slack user ids (U…) or user group ids (S…)${bad.length ? `; not understood: ${bad.join(", ")}` : ""}`,
        });
        return z.NEVER;
      }
      return ids;
    },
  ),
  APPROVALS_REQUIRED: int(1, 1, 10),
  ALLOW_SELF_APPROVAL: bool(false),
  REQUEST_TTL_HOURS: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return 24;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || n > 24 * 30) {
        ctx.addIssue({
          code: "custom",
          message: "expected a number of hours above 0 and at most 720",
        });
        return z.NEVER;
      }
      return n;
    }),
  REMINDER_CHANNEL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || CHANNEL_ID.test(v), {
      error: "expected a channel id such as C0123ABCD, or leave unset",
    }),
  REMINDER_DAYS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return [30, 14, 7, 1, 0];
      const days = v.split(",").map((s) => Number(s.trim()));
      if (days.some((d) => !Number.isInteger(d) || d < 0 || d > 365)) {
        ctx.addIssue({
          code: "custom",
          message: "expected comma-separated whole numbers of days from 0 to 365, e.g. 30,14,7,1,0",
        });
        return z.NEVER;
      }
      return [...new Set(days)].sort((a, b) => b - a);
    }),
  REMINDER_INTERVAL_SECONDS: int(900, 1, 86_400),
  TENANT_SYNC_INTERVAL_SECONDS: int(21_600, 10, 7 * 86_400),
  CREATE_LEASE_SECONDS: int(60, 0, 3_600),
  MAX_OPEN_REQUESTS_PER_USER: int(10, 1, 1_000),
  // Slash commands one person may type per 30 s (0: no limit).
  USER_COMMANDS_PER_30S: int(10, 0, 1_000),
  MAX_SECRET_DAYS: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 36_500) {
        ctx.addIssue({
          code: "custom",
          message: "expected a whole number of days from 1 to 36500, or leave unset",
        });
        return z.NEVER;
      }
      return n;
    }),
  NEVER_EXPIRES: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? "allow" : v.trim().toLowerCase()))
    .pipe(
      z.enum(["allow", "deny", "extra-approval"], {
        error: "expected allow, deny or extra-approval",
      }),
    ),
  ALLOWED_REDIRECT_HOSTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const hosts = entries.map(normalizeHostSuffix);
      const bad = entries.filter((_, i) => hosts[i] === undefined);
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected comma-separated host names such as example.com; not host names: ${bad.join(", ")}`,
        });
        return z.NEVER;
      }
      return [...new Set(hosts as string[])];
    }),
  REQUIRE_HTTPS_REDIRECTS: bool(false),
  AUDIT_RETENTION_DAYS: int(400, 1, 36_500),
  AUDIT_WEBHOOK_URL: url(
    undefined,
    "where audit events are POSTed, e.g. https://siem.example.com/hook",
  ).refine((v) => v === undefined || /^https?:/i.test(v), {
    error: "expected an http(s) URL, e.g. https://siem.example.com/hook",
  }),
  AUDIT_WEBHOOK_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? "info" : v.trim().toLowerCase()))
    .pipe(
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "expected one of fatal, error, warn, info, debug, trace, silent",
      }),
    ),
});

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
    },
  };
}

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
