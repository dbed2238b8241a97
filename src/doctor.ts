// `npm run doctor`: checks everything the bot needs before it is started — configuration,
// Redis, the Slack token and its scopes, channel membership, approvers, the ADH client and
// its role — and prints a checklist with a fix for each failure. Exit code 1 on any failure.
// Nothing it prints may contain a token or secret: only error codes and messages, scrubbed.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ErrorCode, WebClient } from "@slack/web-api";
import { z } from "zod";
import { AdhClient } from "./adh/client.js";
import { AdhError } from "./adh/errors.js";
import { type Config, loadDotEnv, parseConfig } from "./config.js";
import { createLogger, scrubText, slackLogger } from "./log.js";
import { createRedis, pingRedis, redisMode, redisSettingsOf } from "./store/redis.js";
import { checkRedisTopology, describeRedisMode } from "./store/redis-topology.js";

/** manifest/manifest.json beside src/ and dist/ alike: both sit one level below the package root. */
export const MANIFEST_URL = new URL("../manifest/manifest.json", import.meta.url);

const GLOBAL_ADH_HOST = "uswe.datahub.connect.aveva.com";
const ADH_HOST = /^([a-z0-9-]+)\.datahub\.connect\.aveva\.com$/i;
const CHECK_TIMEOUT_MS = 10_000;
const SLACK_TIMEOUT_MS = 5_000;

export type Outcome =
  | { status: "ok"; detail?: string }
  | { status: "failed"; problem: string; fix: string }
  | { status: "skipped"; reason: string };

interface Check {
  name: string;
  run: () => Promise<Outcome>;
}

const ok = (detail?: string): Outcome => (detail ? { status: "ok", detail } : { status: "ok" });
const failed = (problem: string, fix: string): Outcome => ({ status: "failed", problem, fix });
const skipped = (reason: string): Outcome => ({ status: "skipped", reason });

export interface DoctorOptions {
  /** Where the Slack app manifest is read from (tests). */
  manifestUrl?: URL;
}

/** Runs every check, printing one line per check through `out`. Resolves to the exit code. */
export async function runDoctor(
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  options: DoctorOptions = {},
): Promise<number> {
  const parsed = parseConfig(env);
  if (!parsed.ok) {
    // parseConfig names variables and never echoes values; print its list as it is.
    out(`✘ configuration — ${parsed.message}`);
    out("Fix the settings above (environment or .env), then run npm run doctor again.");
    return 1;
  }
  const config = parsed.config;
  const print = redactingPrinter(out, config);
  print("✔ configuration");

  const manifest = readManifest(options.manifestUrl ?? MANIFEST_URL);
  const slack = new WebClient(config.slackBotToken, {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    // The doctor answers now or says why: no retries, no waiting out a rate limit.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SLACK_TIMEOUT_MS,
    logger: slackLogger(createLogger({ level: "silent" })),
  });
  const adh = new AdhClient({
    baseUrl: config.adhBaseUrl,
    tenantId: config.adhTenantId,
    clientId: config.adhClientId,
    clientSecret: config.adhClientSecret,
    logger: createLogger({ level: "silent" }),
    retry: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1_000, deadlineMs: 8_000 },
    timeouts: { connectMs: 3_000, headersMs: 5_000, bodyMs: 5_000 },
  });

  let slackAuth: { scopes: string[] | undefined; user: string; team: string } | undefined;
  let adhTokenWorks = false;
  const botName = manifest.ok ? manifest.botName : "hybrid-client-bot";

  const checks: Check[] = [
    redisTopologyCheck(config),
    {
      name: "Slack bot token works",
      run: async () => {
        const result = await slackAuthTest(slack);
        if (result.status === "ok") slackAuth = result.auth;
        return result.outcome;
      },
    },
    {
      name: "Slack token has the scopes of manifest/manifest.json",
      run: async () => {
        if (!slackAuth) return skipped("needs a working Slack token");
        if (!manifest.ok)
          return failed(manifest.problem, "restore manifest/manifest.json from the release");
        return checkScopes(slackAuth.scopes, manifest.scopes);
      },
    },
    ...channelChecks(config).map(({ variable, channel }) => ({
      name: `bot is a member of ${variable} ${channel}`,
      run: async () =>
        slackAuth
          ? checkMembership(slack, channel, botName)
          : skipped("needs a working Slack token"),
    })),
    ...config.approverUsers.map((id) => ({
      name: `approver ${id} is an active person in Slack`,
      run: async () =>
        slackAuth ? checkApproverUser(slack, id) : skipped("needs a working Slack token"),
    })),
    ...config.approverGroups.map((id) => ({
      name: `approver group ${id} has members`,
      run: async () =>
        slackAuth ? checkApproverGroup(slack, id) : skipped("needs a working Slack token"),
    })),
    {
      name: "ADH_BASE_URL accepts identity writes",
      run: async () => checkAdhHost(config.adhBaseUrl),
    },
    {
      name: "ADH token for ADH_CLIENT_ID (client credentials)",
      run: async () => {
        try {
          await adh.getToken();
          adhTokenWorks = true;
          return ok();
        } catch (error) {
          return adhTokenFailure(error);
        }
      },
    },
    {
      name: "ADH client holds the Tenant Administrator role",
      run: async () =>
        adhTokenWorks ? checkTenantAdministrator(adh, config) : skipped("needs an ADH token"),
    },
  ];

  let failures = 0;
  try {
    for (const check of checks) {
      const outcome = await withTimeout(check.run(), CHECK_TIMEOUT_MS).catch(
        (error: unknown): Outcome =>
          failed(messageOf(error), "see the message; run npm run doctor again once it is fixed"),
      );
      if (outcome.status === "failed") failures += 1;
      print(formatLine(check.name, outcome));
    }
  } finally {
    await adh.close().catch(() => {});
  }
  if (failures > 0) {
    print(
      `${failures} problem${failures === 1 ? "" : "s"} found; fix them and run npm run doctor again.`,
    );
    return 1;
  }
  return 0;
}

function formatLine(name: string, outcome: Outcome): string {
  switch (outcome.status) {
    case "ok":
      return outcome.detail ? `✔ ${name} (${outcome.detail})` : `✔ ${name}`;
    case "skipped":
      return `– ${name} — skipped: ${outcome.reason}`;
    case "failed":
      return `✘ ${name} — ${sentence(outcome.problem)} Fix: ${sentence(outcome.fix)}`;
  }
}

const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** Every line goes through this: token shapes and the configured secret values never get out. */
function redactingPrinter(out: (line: string) => void, config: Config): (line: string) => void {
  const secrets = [
    config.slackBotToken,
    config.slackAppToken,
    config.slackSigningSecret,
    config.adhClientSecret,
    config.redisSentinelPassword,
  ].filter((s): s is string => typeof s === "string" && s.length >= 4);
  return (line) => {
    let safe = scrubText(line);
    for (const secret of secrets) safe = safe.split(secret).join("[Redacted]");
    out(safe);
  };
}

// ── Redis ─────────────────────────────────────────────────────────────────────

/** host:port only: a REDIS_URL may carry a password. */
function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "REDIS_URL";
  }
}

async function checkRedis(config: Config): Promise<Outcome> {
  const redis = createRedis(
    { url: config.redisUrl, keyPrefix: config.redisKeyPrefix },
    // One attempt: the doctor reports, it does not wait for Redis to come back.
    {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 3_000,
    },
  );
  let lastError: string | undefined;
  redis.on("error", (error: Error) => {
    lastError = error.message;
  });
  const fix = `check REDIS_URL, and that Redis runs and is reachable at ${redisAddress(config.redisUrl)} (e.g. redis-server, or docker run -p 6379:6379 redis:7)`;
  try {
    await redis.connect();
    await pingRedis(redis);
    return ok();
  } catch (error) {
    const message = lastError ?? messageOf(error);
    if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
      return failed(
        `Redis refused the credentials: ${message}`,
        "put the right user and password in REDIS_URL (redis://user:password@host:6379)",
      );
    }
    return failed(`Redis did not answer: ${message}`, fix);
  } finally {
    redis.disconnect();
  }
}

/** Which Redis mode the settings select, and whether it can serve the bot. */
function redisTopologyCheck(config: Config): Check {
  const settings = redisSettingsOf(config);
  if (redisMode(settings) === "single") {
    return {
      name: `Redis answers PING at ${redisAddress(config.redisUrl)}`,
      run: async () => {
        const result = await checkRedis(config);
        return result.status === "ok" ? ok(describeRedisMode(settings)) : result;
      },
    };
  }
  return {
    name: `Redis mode: ${describeRedisMode(settings)}`,
    run: async () => {
      const result = await checkRedisTopology(settings);
      return result.ok ? ok(result.detail) : failed(result.problem, result.fix);
    },
  };
}

// ── Slack ─────────────────────────────────────────────────────────────────────

const TOKEN_FIX =
  "check SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token, xoxb-…); if it was revoked, reinstall the app to the workspace and copy the new token";

async function slackAuthTest(slack: WebClient): Promise<
  | {
      status: "ok";
      outcome: Outcome;
      auth: { scopes: string[] | undefined; user: string; team: string };
    }
  | { status: "failed"; outcome: Outcome }
> {
  try {
    const result = await slack.auth.test();
    const auth = {
      scopes: result.response_metadata?.scopes,
      user: result.user ?? "the bot",
      team: result.team ?? "the workspace",
    };
    return { status: "ok", outcome: ok(`auth.test: @${auth.user} in ${auth.team}`), auth };
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "network" || code === "http") {
      return {
        status: "failed",
        outcome: failed(
          `could not reach the Slack Web API: ${messageOf(error)}`,
          "check the network (proxy, firewall) and SLACK_API_URL (leave it unset for Slack itself)",
        ),
      };
    }
    return {
      status: "failed",
      outcome: failed(`Slack refused the token: ${describeSlackError(error)}`, TOKEN_FIX),
    };
  }
}

function checkScopes(granted: string[] | undefined, wanted: string[]): Outcome {
  const reinstall =
    "reinstall the app from manifest/manifest.json (app settings > App Manifest: paste it, save, then Install App > Reinstall) so the token gets every scope";
  if (granted === undefined) {
    return failed("Slack did not report the token's scopes (no x-oauth-scopes header)", reinstall);
  }
  const have = new Set(granted);
  const missing = wanted.filter((s) => !have.has(s));
  if (missing.length > 0) {
    return failed(`the token lacks ${missing.join(", ")}`, reinstall);
  }
  return ok(`${wanted.length} scopes`);
}

function channelChecks(config: Config): { variable: string; channel: string }[] {
  const list = [{ variable: "APPROVAL_CHANNEL", channel: config.approvalChannel }];
  if (config.reminderChannel)
    list.push({ variable: "REMINDER_CHANNEL", channel: config.reminderChannel });
  return list;
}

async function checkMembership(
  slack: WebClient,
  channel: string,
  botName: string,
): Promise<Outcome> {
  const invite = `type /invite @${botName} in that channel (or open the channel's details > Integrations > Add apps)`;
  try {
    const result = await slack.conversations.info({ channel });
    const info = result.channel;
    if (info?.is_archived) {
      return failed(
        "the channel is archived",
        "unarchive it, or point the setting at another channel",
      );
    }
    if (info?.is_member !== true) return failed("the bot is not a member of the channel", invite);
    return ok();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "channel_not_found") {
      return failed(
        "Slack finds no such channel for the bot (a private channel stays hidden until the bot is invited)",
        `check the channel id (channel details > bottom of the About tab), then ${invite}`,
      );
    }
    return failed(`conversations.info failed: ${describeSlackError(error)}`, slackFix(code));
  }
}

async function checkApproverUser(slack: WebClient, id: string): Promise<Outcome> {
  const fix = `correct or remove ${id} in APPROVERS (a person's member id: their Slack profile > ⋮ > Copy member ID)`;
  try {
    const { user } = await slack.users.info({ user: id });
    if (!user) return failed(`Slack returned no user for ${id}`, fix);
    if (user.deleted) return failed(`${id} is a deactivated account`, fix);
    if (user.is_bot) return failed(`${id} is a bot, not a person`, fix);
    return ok(user.name ? `@${user.name}` : undefined);
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "user_not_found")
      return failed(`Slack knows no user ${id} in this workspace`, fix);
    return failed(`users.info failed for ${id}: ${describeSlackError(error)}`, slackFix(code, fix));
  }
}

async function checkApproverGroup(slack: WebClient, id: string): Promise<Outcome> {
  const fix = `correct or remove ${id} in APPROVERS (a user group's id, S…: open the group in People > User groups and copy its id)`;
  try {
    const { users } = await slack.usergroups.users.list({ usergroup: id });
    if (!users || users.length === 0) {
      return failed(
        `user group ${id} has no members, so nobody could approve through it`,
        `add people to the group, or ${fix}`,
      );
    }
    return ok(`${users.length} member${users.length === 1 ? "" : "s"}`);
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === "no_such_subteam") return failed(`Slack knows no user group ${id}`, fix);
    return failed(
      `usergroups.users.list failed for ${id}: ${describeSlackError(error)}`,
      slackFix(code, fix),
    );
  }
}

/** Slack's error code ("invalid_auth", "missing_scope", …), or "network"/"http"/"ratelimited". */
function slackErrorCode(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string } };
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return e.data?.error ?? "unknown_error";
    case ErrorCode.RequestError:
      return "network";
    case ErrorCode.HTTPError:
      return "http";
    case ErrorCode.RateLimitedError:
      return "ratelimited";
    default:
      return "unknown_error";
  }
}

function describeSlackError(error: unknown): string {
  const code = slackErrorCode(error);
  const e = error as { data?: { needed?: string }; retryAfter?: number; statusCode?: number };
  if (code === "missing_scope")
    return `missing_scope${e.data?.needed ? ` (needs ${e.data.needed})` : ""}`;
  if (code === "ratelimited")
    return `rate-limited by Slack (retry after ${e.retryAfter ?? "a few"} s)`;
  if (code === "http") return `HTTP ${e.statusCode ?? "error"} from Slack`;
  if (code === "network" || code === "unknown_error") return messageOf(error);
  return code;
}

function slackFix(
  code: string,
  otherwise = "see the message; run npm run doctor again once it is fixed",
): string {
  if (code === "missing_scope") {
    return "reinstall the app from manifest/manifest.json so the token gets every scope it lists";
  }
  if (code === "invalid_auth" || code === "token_revoked" || code === "account_inactive")
    return TOKEN_FIX;
  if (code === "ratelimited") return "wait a minute and run npm run doctor again";
  if (code === "network" || code === "http") return "check the network and SLACK_API_URL";
  return otherwise;
}

// ── ADH ───────────────────────────────────────────────────────────────────────

/** Exported for tests: a regional host cannot be reached from them. */
export function checkAdhHost(baseUrl: string): Outcome {
  const host = new URL(baseUrl).hostname.toLowerCase();
  const region = ADH_HOST.exec(host)?.[1];
  if (region !== undefined && host !== GLOBAL_ADH_HOST) {
    return failed(
      `ADH_BASE_URL points at the regional host ${host}; ADH accepts creating clients and secrets only on the global host`,
      `set ADH_BASE_URL=https://${GLOBAL_ADH_HOST}`,
    );
  }
  return ok(host === GLOBAL_ADH_HOST ? "global host" : `custom host ${host}, not checked`);
}

function adhTokenFailure(error: unknown): Outcome {
  const what = error instanceof AdhError ? error.message : messageOf(error);
  if (error instanceof AdhError && (error.status === 400 || error.status === 401)) {
    return failed(
      what,
      "check ADH_CLIENT_ID and ADH_CLIENT_SECRET: the bot's client-credentials client in the ADH portal (Security > Clients > Client Credentials); if the secret expired or was lost, add a new secret there",
    );
  }
  return failed(
    what,
    `check ADH_BASE_URL (the global host https://${GLOBAL_ADH_HOST} for identity writes) and that it is reachable from here; then check ADH_CLIENT_ID and ADH_CLIENT_SECRET`,
  );
}

const ROLE_FIX =
  "in the ADH portal, Security > Clients > Client Credentials > the bot's client (ADH_CLIENT_ID) > Roles: add Tenant Administrator";
const RETRY_FIX = "try again later; quote the Operation-Id to AVEVA support if it persists";

/**
 * Why this probe: a client-credentials client can read its own roles —
 * GET …/ClientCredentialClients/{clientId}/Roles is documented as allowed for "Self" — so
 * the role can be checked exactly, by RoleTypeId (role Ids differ per tenant). The
 * obvious alternatives prove nothing: GET …/HybridClients and GET …/Users are allowed for
 * every Tenant Member, and trying a write would change the tenant.
 */
async function checkTenantAdministrator(adh: AdhClient, config: Config): Promise<Outcome> {
  try {
    if (await adh.botIsTenantAdministrator()) return ok();
    // Only to name them in the failure: which roles the client holds instead.
    const held = await adh
      .getClientCredentialClientRoles(config.adhClientId)
      .then((roles) => roles.map((r) => r.Name ?? r.Id).join(", ") || "none")
      .catch(() => "unknown");
    return failed(`the client lacks Tenant Administrator (roles held: ${held})`, ROLE_FIX);
  } catch (error) {
    if (!(error instanceof AdhError)) throw error;
    return tenantAdministratorFailure(error);
  }
}

function tenantAdministratorFailure(error: AdhError): Outcome {
  const ref = error.operationId ? ` (Operation-Id ${error.operationId})` : "";
  const status = error.status;
  if (status === undefined) {
    return failed(error.message, "check ADH_BASE_URL and the network");
  }
  if (status === 404) {
    return failed(
      `ADH knows no client-credentials client ADH_CLIENT_ID in tenant ADH_TENANT_ID${ref}`,
      "check ADH_TENANT_ID, and that ADH_CLIENT_ID is a client-credentials client of that tenant",
    );
  }
  if (status === 401 || status === 403) {
    return failed(`ADH answered ${status} when the client read its own roles${ref}`, ROLE_FIX);
  }
  if (status >= 200 && status < 300) {
    // The reply arrived but was not a list of roles (AdhClient could not parse it).
    return failed(`ADH sent an unexpected list of roles${ref}`, RETRY_FIX);
  }
  return failed(`ADH answered ${status} when the client read its own roles${ref}`, RETRY_FIX);
}

// ── manifest, timeouts, messages ──────────────────────────────────────────────

const ManifestSchema = z.object({
  features: z.object({ bot_user: z.object({ display_name: z.string() }).optional() }).optional(),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
});

function readManifest(
  url: URL,
): { ok: true; scopes: string[]; botName: string } | { ok: false; problem: string } {
  try {
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(url, "utf8")));
    return {
      ok: true,
      scopes: manifest.oauth_config.scopes.bot,
      botName: manifest.features?.bot_user?.display_name ?? "hybrid-client-bot",
    };
  } catch (error) {
    return {
      ok: false,
      problem: `cannot read the bot scopes from ${url.pathname}: ${messageOf(error)}`,
    };
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  const e = error as { original?: unknown; message?: unknown };
  if (e?.original instanceof Error) return e.original.message;
  return typeof e?.message === "string" && e.message ? e.message : String(error);
}

// ── CLI ───────────────────────────────────────────────────────────────────────

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  loadDotEnv();
  const code = await runDoctor(process.env, (line) => console.log(line));
  process.exit(code);
}
