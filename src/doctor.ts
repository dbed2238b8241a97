// `npm run doctor`: checks everything the bot needs before it is started — configuration,
// Redis, the Slack token and its scopes, channel membership, approvers, the ADH client and
// its role — and prints a checklist with a fix for each failure. Exit code 1 on any failure.
// Nothing it prints may contain a token or secret: only error codes and messages, scrubbed.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { WebClient } from "@slack/web-api";
import { z } from "zod";
import { AdhClient } from "./adh/client.js";
import { judgeQuorum, quorumProblem } from "./approver-quorum.js";
import { type Config, loadDotEnv, parseConfig } from "./config.js";
import {
  adhTokenFailure,
  checkAdhHost,
  checkOwnSecrets,
  checkTenantAdministrator,
} from "./doctor/adh-checks.js";
import { failed, messageOf, type Outcome, ok, skipped } from "./doctor/outcome.js";
import { redisTopologyCheck } from "./doctor/redis-check.js";
import {
  channelChecks,
  checkApproverGroup,
  checkApproverUser,
  checkMembership,
  checkScopes,
  slackAuthTest,
} from "./doctor/slack-checks.js";
import { createLogger, scrubText, slackLogger } from "./log.js";
import { installProxyFromEnvironment } from "./net/proxy.js";
import { slackFetch } from "./slack/slack-fetch.js";

export { checkAdhHost } from "./doctor/adh-checks.js";
export type { Outcome } from "./doctor/outcome.js";

/** manifest/manifest.json beside src/ and dist/ alike: both sit one level below the package root. */
export const MANIFEST_URL = new URL("../manifest/manifest.json", import.meta.url);

const CHECK_TIMEOUT_MS = 10_000;
const SLACK_TIMEOUT_MS = 5_000;

interface Check {
  name: string;
  run: () => Promise<Outcome>;
}

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
  print(`✔ policy in force (${policySummary(config)})`);

  const manifest = readManifest(options.manifestUrl ?? MANIFEST_URL);
  const slack = new WebClient(config.slackBotToken, {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    // The doctor answers now or says why: no retries, no waiting out a rate limit.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SLACK_TIMEOUT_MS,
    logger: slackLogger(createLogger({ level: "silent" })),
    // The bot's own transport: the same proxy settings, and errors that carry their code.
    fetch: slackFetch,
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
  // Everyone who can approve, each once; undefined once a lookup could not be made.
  let approvers: Set<string> | undefined = new Set<string>();
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
      run: async () => {
        if (!slackAuth) return skipped("needs a working Slack token");
        const outcome = await checkApproverUser(slack, id);
        if (outcome.status === "ok") approvers?.add(id);
        return outcome;
      },
    })),
    ...config.approverGroups.map((id) => ({
      name: `approver group ${id} has members`,
      run: async () => {
        if (!slackAuth) return skipped("needs a working Slack token");
        const { outcome, members } = await checkApproverGroup(slack, id);
        if (members === undefined) approvers = undefined;
        else for (const m of members) approvers?.add(m);
        return outcome;
      },
    })),
    {
      name: `approvers can meet APPROVALS_REQUIRED=${config.approvalsRequired}`,
      run: async () => {
        if (!slackAuth) return skipped("needs a working Slack token");
        if (!approvers) return skipped("a user group could not be read");
        const quorum = judgeQuorum(approvers, config.approvalsRequired);
        if (quorum.possible) return ok(`${quorum.approvers} distinct approvers`);
        return failed(
          quorumProblem(quorum),
          `lower APPROVALS_REQUIRED to at most ${quorum.approvers}, or add people to APPROVERS (or to its user groups)`,
        );
      },
    },
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
    {
      name: "the bot's own ADH secrets (ADH_CLIENT_ID)",
      run: async () =>
        adhTokenWorks ? checkOwnSecrets(adh, config.reminderDays) : skipped("needs an ADH token"),
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

/**
 * The policy in force (printed as a detail, in parentheses), so an operator sees what the
 * form will refuse before users do.
 */
export function policySummary(config: Config): string {
  const hosts = config.allowedRedirectHosts;
  const neverExpires =
    config.neverExpires === "extra-approval"
      ? `extra-approval (${config.approvalsRequired + 1} approvals)`
      : config.neverExpires;
  return [
    `MAX_SECRET_DAYS=${config.maxSecretDays ?? "unset"}`,
    `NEVER_EXPIRES=${neverExpires}`,
    `ALLOWED_REDIRECT_HOSTS=${hosts.length ? hosts.join(",") : "any"}`,
    `REQUIRE_HTTPS_REDIRECTS=${config.requireHttpsRedirects}`,
    `AUDIT_RETENTION_DAYS=${config.auditRetentionDays}`,
    `audit webhook ${config.auditWebhookUrl ? "on" : "off"}`,
  ].join(", ");
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
    config.auditWebhookSecret,
  ].filter((s): s is string => typeof s === "string" && s.length >= 4);
  return (line) => {
    let safe = scrubText(line);
    for (const secret of secrets) safe = safe.split(secret).join("[Redacted]");
    out(safe);
  };
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

// ── CLI ───────────────────────────────────────────────────────────────────────

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  loadDotEnv();
  installProxyFromEnvironment();
  const code = await runDoctor(process.env, (line) => console.log(line));
  process.exit(code);
}
