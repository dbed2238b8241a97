// Settings that connect the bot: Slack, ADH, Redis and the ports it listens on.
import { z } from "zod";
import { GUID, hostPorts, int, optionalText, required, url } from "./fields.js";

export const connectionEnv = {
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
};
