// Settings that shape the work: approvals, reminders, policy, audit, the people around a
// request, logging.
import { z } from "zod";
import { normalizeHostSuffix } from "../policy-settings.js";
import { bool, CHANNEL_ID, commaList, int, required, SLACK_USER_OR_GROUP, url } from "./fields.js";

export const workflowEnv = {
  APPROVAL_CHANNEL: required("the id of the channel where requests are posted (C…)").refine(
    (v) => CHANNEL_ID.test(v),
    { error: "expected a channel id such as C0123ABCD (right-click the channel > Copy link)" },
  ),
  APPROVERS: required("comma-separated Slack user ids (U…) or user group ids (S…)").transform(
    (v, ctx) => {
      const ids = commaList(v);
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
  MAX_OPEN_REQUESTS_PER_USER: int(10, 1, 100_000),
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
      const entries = commaList(v);
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
  APPROVAL_REMINDER_MINUTES: int(60, 0, 7 * 24 * 60),
  APPROVAL_REMINDERS_MAX: int(3, 0, 50),
  ESCALATION_APPROVERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ids = commaList(v);
      const bad = ids.filter((id) => !SLACK_USER_OR_GROUP.test(id));
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected comma-separated Slack user ids (U…) or user group ids (S…); not understood: ${bad.join(", ")}`,
        });
        return z.NEVER;
      }
      return ids;
    }),
  ESCALATE_AFTER_MINUTES: int(240, 1, 30 * 24 * 60),
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
};
