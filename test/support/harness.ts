// The real bot in HTTP mode (or Socket Mode) against the fake Slack Web API, the fake ADH
// (both real HTTP servers) and the real Redis under a unique key prefix, with its logs captured.
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { type Bot, type BotOptions, startBot } from "../../src/bot.js";
import { type Config, parseConfig } from "../../src/config.js";
import { APPROVE, CLIENT_FORM, REVEAL, SECRET_FORM } from "../../src/slack/ids.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { type FakeSlack, type RecordedCall, startFakeSlack } from "../fakes/slack.js";
import { deletePrefix, dumpKeys, TEST_REDIS_URL, testPrefix } from "./redis.js";
import { SlackDriver } from "./slack-driver.js";

export const SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef";
export const APPROVAL_CHANNEL = "C0APPROVE1";
export const USERS = {
  requester: "U0REQUEST1",
  approver1: "U0APPROVE1",
  approver2: "U0APPROVE2",
  outsider: "U0OUTSIDE1",
  member: "U0MEMBER01",
  ghost: "U0GHOST001",
} as const;

export interface HarnessOptions {
  env?: Record<string, string>;
  bot?: BotOptions;
  /**
   * Socket Mode: SLACK_APP_TOKEN set, no signing secret. The driver then reaches the bot
   * through the fake's socket bridge: what it sends goes down the WebSocket.
   */
  socketMode?: boolean;
  /** The fake Slack drops every Web API call from the start (an outage) until `slack.setDown(false)`. */
  slackDownAtStart?: boolean;
}

export interface Harness {
  adh: FakeAdh;
  slack: FakeSlack;
  prefix: string;
  bot: Bot;
  driver: SlackDriver;
  logs: string[];
  config: Config;
  /** Another instance on its own port sharing Redis, ADH and Slack (a replica). */
  startReplica(options?: BotOptions): Promise<{ bot: Bot; driver: SlackDriver }>;
  /** Stops the main instance and starts a new one on the same Redis. */
  restart(options?: BotOptions): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const adh = await startFakeAdh();
  const slack = await startFakeSlack();
  if (options.slackDownAtStart) slack.setDown(true);
  const prefix = testPrefix("e2e");
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });

  adh.addUser({ email: "requester@example.com", name: "Requester", admin: true });
  adh.addUser({ email: "approver1@example.com", admin: true });
  adh.addUser({ email: "approver2@example.com", admin: true });
  adh.addUser({ email: "member@example.com", admin: false });
  slack.addUser({ id: USERS.requester, email: "Requester@Example.com", name: "requester" });
  slack.addUser({ id: USERS.approver1, email: "approver1@example.com", name: "approver1" });
  slack.addUser({ id: USERS.approver2, email: "approver2@example.com", name: "approver2" });
  slack.addUser({ id: USERS.outsider, email: "outsider@example.com", name: "outsider" });
  slack.addUser({ id: USERS.member, email: "member@example.com", name: "member" });
  slack.addUser({ id: USERS.ghost, email: "ghost@example.com", name: "ghost" });
  slack.addChannel(APPROVAL_CHANNEL, { member: true });
  slack.addChannel("C0GENERAL1", { member: true });

  const configFor = async (): Promise<Config> => {
    const parsed = parseConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      ...(options.socketMode
        ? { SLACK_APP_TOKEN: slack.appToken }
        : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      SLACK_API_URL: slack.url,
      PORT: String(await freePort()),
      OPS_PORT: String(await freePort()),
      ADH_BASE_URL: adh.url,
      ADH_TENANT_ID: adh.tenantId,
      ADH_CLIENT_ID: adh.clientId,
      ADH_CLIENT_SECRET: adh.clientSecret,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      APPROVAL_CHANNEL,
      APPROVERS: `${USERS.approver1},${USERS.approver2}`,
      LOG_LEVEL: "debug",
      // Suites drive one requester through many flows; the trust tests set these lower.
      MAX_OPEN_REQUESTS_PER_USER: "1000",
      USER_COMMANDS_PER_30S: "0",
      ...options.env,
    });
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.config;
  };

  const launch = async (botOptions: BotOptions = {}) => {
    const config = await configFor();
    const bot = await startBot(config, {
      logDestination,
      timerIntervalMs: 200,
      ...options.bot,
      ...botOptions,
    });
    const driver = new SlackDriver({
      botUrl: options.socketMode
        ? slack.socketBridgeUrl
        : `http://127.0.0.1:${config.port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      slack,
    });
    return { bot, driver, config };
  };

  const replicas: Bot[] = [];
  let main = await launch();
  const harness: Harness = {
    adh,
    slack,
    prefix,
    logs,
    get bot() {
      return main.bot;
    },
    get driver() {
      return main.driver;
    },
    get config() {
      return main.config;
    },
    async startReplica(botOptions) {
      const replica = await launch(botOptions);
      replicas.push(replica.bot);
      return replica;
    },
    async restart(botOptions) {
      await main.bot.stop();
      main = await launch(botOptions);
    },
    async close() {
      await Promise.allSettled([main.bot.stop(), ...replicas.map((r) => r.stop())]);
      await Promise.allSettled([adh.close(), slack.close()]);
      await deletePrefix(prefix);
    },
  };
  return harness;
}

/** The form values of a valid request, as the driver's shorthand. */
export function clientFormValues(overrides: Partial<Record<string, unknown>> = {}) {
  const v = {
    name: "inventory-app",
    allowRefreshToken: [] as string[],
    redirectUris: "https://inventory.example.com/callback",
    logoutRedirectUris: "",
    tokenLifetime: "3600",
    reminderChannel: "C0GENERAL1",
    reason: "Inventory sync needs ADH access",
    ...overrides,
  };
  return {
    name: { name: v.name },
    allow_refresh_token: { allow_refresh_token: v.allowRefreshToken },
    redirect_uris: { redirect_uris: v.redirectUris },
    logout_redirect_uris: { logout_redirect_uris: v.logoutRedirectUris },
    token_lifetime: { token_lifetime: v.tokenLifetime },
    reminder_channel: { reminder_channel: v.reminderChannel },
    reason: { reason: v.reason },
  } as Record<string, Record<string, unknown>>;
}

export function secretFormValues(
  overrides: { description?: string; expirationDate?: string; neverExpires?: boolean } = {},
) {
  const nextYear = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
  return {
    description: { description: overrides.description ?? "inventory sync" },
    expiration_date: { expiration_date: overrides.expirationDate ?? nextYear },
    never_expires: { never_expires: overrides.neverExpires ? ["never_expires"] : [] },
  } as Record<string, Record<string, unknown>>;
}

/** Drives `/hybrid-client add` through both panes; returns the approvals message. */
export async function submitRequest(
  h: Pick<Harness, "slack"> & { driver: SlackDriver },
  user: string = USERS.requester,
  form: {
    client?: Partial<Record<string, unknown>>;
    secret?: Parameters<typeof secretFormValues>[0];
  } = {},
): Promise<RecordedCall> {
  const opensBefore = h.slack.callsTo("views.open").length;
  const posted = h.slack.callsTo("chat.postMessage").length;
  const command = await h.driver.command(user, "add");
  if (command.status !== 200) throw new Error(`command answered ${command.status}`);
  const open = await h.slack.waitForCall(
    "views.open",
    (c) => h.slack.callsTo("views.open").indexOf(c) >= opensBefore,
  );
  const viewId = (open.response.view as { id: string }).id;
  const pane1 = await h.driver.submitView(
    user,
    { id: viewId, callbackId: CLIENT_FORM },
    clientFormValues(form.client),
  );
  if ((pane1.body as { response_action?: string }).response_action !== "update") {
    throw new Error(`pane 1 answered ${JSON.stringify(pane1.body)}`);
  }
  await h.driver.submitView(
    user,
    { id: viewId, callbackId: SECRET_FORM },
    secretFormValues(form.secret),
  );
  return h.slack.waitForCall(
    "chat.postMessage",
    (c) =>
      c.args.channel === APPROVAL_CHANNEL &&
      h.slack.calls.indexOf(c) >= 0 &&
      h.slack.callsTo("chat.postMessage").indexOf(c) >= posted,
  );
}

export function messageTs(call: RecordedCall): string {
  return String(call.response.ts);
}

/** The request id that the approvals message's buttons carry. */
export function requestIdOf(approval: RecordedCall): string {
  const id = JSON.stringify(approval.args.blocks).match(/"value":"(R[0-9A-F]+)"/)?.[1];
  if (!id) throw new Error("approvals message carries no request id");
  return id;
}

/**
 * Clicks Approve as the original message showed it: a late clicker's Slack may still
 * show the buttons after the message was updated.
 */
export function approve(h: { driver: SlackDriver }, user: string, approval: RecordedCall) {
  return h.driver.clickButton(
    user,
    { actionId: APPROVE, value: requestIdOf(approval), blockId: "actions" },
    { channel: APPROVAL_CHANNEL, messageTs: messageTs(approval) },
  );
}

/** Waits for the "Client created" DM for this request, with its Reveal button. */
export function waitForRevealDm(
  h: Pick<Harness, "slack">,
  approval: RecordedCall,
  user: string = USERS.requester,
  timeoutMs = 10_000,
) {
  const requestId = requestIdOf(approval);
  return h.slack.waitForCall(
    "chat.postMessage",
    (c) => {
      const blocks = JSON.stringify(c.args.blocks ?? []);
      return c.args.channel === user && blocks.includes(REVEAL) && blocks.includes(requestId);
    },
    timeoutMs,
  );
}

/**
 * Every place a secret must never reach: logs, Redis (the audit stream named on its own),
 * non-ephemeral Slack calls, and the audit webhook's bodies when a test received them.
 */
export async function leakSearch(
  h: Pick<Harness, "adh" | "slack" | "logs" | "prefix">,
  more: { webhookBodies?: string[] } = {},
): Promise<string[]> {
  const found: string[] = [];
  const redis = [...(await dumpKeys(h.prefix)).entries()].map(([k, v]) => `${k} ${v}`).join("\n");
  const logs = h.logs.join("");
  const slackCalls = JSON.stringify(h.slack.calls.map((c) => ({ method: c.method, args: c.args })));
  const persistedResponses = JSON.stringify(
    h.slack.responses.filter(
      (r) => (r.body as { response_type?: string }).response_type !== "ephemeral",
    ),
  );
  const auditStream = (await dumpKeys(`${h.prefix}audit:stream`)).get(`${h.prefix}audit:stream`);
  const webhook = (more.webhookBodies ?? []).join("\n");
  for (const secret of h.adh.issuedSecrets) {
    if (auditStream?.includes(secret))
      found.push(`audit stream contains secret ${secret.slice(0, 4)}…`);
    if (webhook.includes(secret))
      found.push(`a webhook body contains secret ${secret.slice(0, 4)}…`);
    if (logs.includes(secret)) found.push(`log contains secret ${secret.slice(0, 4)}…`);
    if (redis.includes(secret)) found.push(`redis contains secret ${secret.slice(0, 4)}…`);
    if (slackCalls.includes(secret))
      found.push(`a Slack Web API call contains secret ${secret.slice(0, 4)}…`);
    if (persistedResponses.includes(secret))
      found.push(`a non-ephemeral response contains secret ${secret.slice(0, 4)}…`);
  }
  for (const token of [h.adh.clientSecret, ...h.adh.issuedTokens]) {
    if (logs.includes(token)) found.push(`log contains an ADH credential ${token.slice(0, 4)}…`);
    if (auditStream?.includes(token) || webhook.includes(token)) {
      found.push(`the audit trail contains an ADH credential ${token.slice(0, 4)}…`);
    }
  }
  return found;
}

/** Resolves once `condition` holds (polled every 20 ms); for fakes that record without notifying. */
export async function until(
  condition: () => boolean,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
