// Wiring: config → ADH client, Redis, workflow, reminders, Slack app, ops routes.
// `startBot` is what main.ts runs and what the end-to-end tests start (several times,
// for replicas and restarts), so everything it opens, `stop()` closes.

import { WebClient } from "@slack/web-api";
import type { DestinationStream } from "pino";
import { AdhClient } from "./adh/client.js";
import { type CatalogList, ClientCatalog } from "./adh/client-catalog.js";
import { UserDirectory } from "./adh/users.js";
import { logImpossibleQuorum } from "./approver-quorum.js";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import {
  type ApprovalOutcome,
  adhCallObserver,
  createMetrics,
  type Metrics,
} from "./ops/metrics.js";
import { Readiness, rememberSuccess } from "./ops/readiness.js";
import { opsRoutes } from "./ops/routes.js";
import { startOpsServer } from "./ops/server.js";
import { keepTrying, settledWithin, socketWatch, unreadyLogger } from "./ops/startup.js";
import { OwnCredentialsWatch } from "./reminders/own-credentials.js";
import type { ReminderNotifier } from "./reminders/ports.js";
import { ReminderService } from "./reminders/service.js";
import { ApproverReminders } from "./requests/approver-reminders.js";
import { recordVotes } from "./requests/vote-history.js";
import { RequestWorkflow } from "./requests/workflow.js";
import { createSlackApp } from "./slack/app.js";
import { SlackApprovalThread } from "./slack/approval/thread.js";
import { HomePublisher } from "./slack/home/publisher.js";
import { SlackIdentity } from "./slack/identity.js";
import { responseUrlOrigins } from "./slack/kit/response-url.js";
import { SlackNotifier } from "./slack/notifier.js";
import { SlackPeople } from "./slack/people.js";
import { SlackReminderChannels } from "./slack/reminder-channels.js";
import { SlackReminderNotifier } from "./slack/reminders/notifier.js";
import { createSlackClient, slackClientOptions } from "./slack/web-client.js";
import { ApproverReminderStore } from "./store/approver-reminders.js";
import { AuditShipper } from "./store/audit-shipper.js";
import { AuditTrail } from "./store/audit-stream.js";
import { ChannelPacer, pacedReminders } from "./store/channel-pacer.js";
import { CommandCooldown } from "./store/cooldown.js";
import { DmThreadStore } from "./store/dm-threads.js";
import { HomePeopleStore } from "./store/home-people.js";
import { clusterKeyPrefix } from "./store/key-naming.js";
import { ListCache } from "./store/list-cache.js";
import {
  closeRedis,
  connectRedis,
  pingRedis,
  type RedisClient as Redis,
  redisMode,
  redisSettingsOf,
} from "./store/redis.js";
import { watchRedisOutage } from "./store/redis-outage-log.js";
import { RequestStore } from "./store/request-store.js";
import { UnrevealedIndex } from "./store/unrevealed-index.js";

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

export interface BotOptions {
  /** Where logs go (tests capture them to search for leaks); stdout by default. */
  logDestination?: DestinationStream;
  /** How often pending-request expiry and stuck creates are looked for. */
  timerIntervalMs?: number;
  createLeaseMs?: number;
  /** Socket Mode: how long the socket may be down before /readyz says so. */
  socketGraceMs?: number;
  /** Socket Mode: how long start-up waits for the first connection before going on without it. */
  socketStartWaitMs?: number;
  now?: () => number;
}

export interface Bot {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  workflow: RequestWorkflow;
  reminders: ReminderService;
  readiness: Readiness;
  /** The ops port actually taken (/healthz, /readyz, /metrics). */
  opsPort: number;
  /** HTTP mode: the Slack port actually taken; undefined in Socket Mode. */
  port: number | undefined;
  /** The bot's Slack identity, learned (and retried) from auth.test. */
  identity: SlackIdentity;
  /** The audit trail (a hash-chained Redis stream). */
  audit: AuditTrail;
  /** Approver reminders and escalations in the approvals thread. */
  approverReminders: ApproverReminders;
  /** Each person's App Home. */
  home: HomePublisher;
  /** Stops taking requests, finishes in-flight work (bounded), closes everything. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startBot(config: Config, options: BotOptions = {}): Promise<Bot> {
  const now = options.now ?? Date.now;
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  const metrics = createMetrics();
  const redis = connectRedis(redisSettingsOf(config));
  // One clear line a minute while Redis is unreachable (redis-outage-log), not one per retry.
  redis.on("error", () => metrics.redisErrors.inc());
  watchRedisOutage(redis, { url: config.redisUrl, logger });

  const adh = new AdhClient({
    baseUrl: config.adhBaseUrl,
    tenantId: config.adhTenantId,
    clientId: config.adhClientId,
    clientSecret: config.adhClientSecret,
    logger: logger.child({ component: "adh" }),
    onCall: adhCallObserver(metrics),
  });

  let shuttingDown = false;
  const readiness = new Readiness({
    redis: () => pingRedis(redis),
    // auth.test is rate-limited and rarely changes: a success is good for a minute.
    // Until the identity is learned, Slack is not ready: requests could not be authorized.
    slack: rememberSuccess(async () => {
      if (identity.current) await slack.auth.test();
      else await identity.lookup();
    }, 60_000),
    adh: async () => {
      await adh.getToken();
    },
    // Socket Mode: the SDK reconnects by itself (Slack refreshes sockets routinely), but
    // gives up for good on some errors; a socket down past the grace period is not ready.
    ...(config.slackAppToken
      ? {
          slack_socket: socketWatch(
            () => slackApp.socketConnected(),
            options.socketGraceMs ?? 30_000,
            now,
          ),
        }
      : {}),
  });

  const store = new RequestStore(redis);
  const pacer = new ChannelPacer(redis);
  const slack = createSlackClient(config.slackBotToken, config.slackApiUrl, logger);
  const identity = new SlackIdentity({ client: slack, botToken: config.slackBotToken, logger });
  const onApiError = (method: string, error: string) =>
    metrics.slackApiErrors.inc({ method, error });

  // Audit: the stream every transition appends to (inside its compare-and-set).
  const audit = new AuditTrail(redis, { retentionDays: config.auditRetentionDays });
  const reminders = new ReminderService({
    audit,
    redis,
    source: adh,
    // Paced per channel across replicas; its own client hands 429s to the pacer, which
    // holds that channel off for Retry-After on every replica.
    notifier: countedReminders(
      pacedReminders(
        new SlackReminderNotifier(
          new WebClient(config.slackBotToken, {
            ...slackClientOptions(config.slackApiUrl, logger),
            rejectRateLimitedCalls: true,
          }),
        ),
        pacer,
      ),
      metrics,
    ),
    logger,
    thresholds: config.reminderDays,
    reminderChannel: config.reminderChannel,
    ownCredentials: new OwnCredentialsWatch({
      redis: connectRedis(ownCredentialsRedisSettings(config)),
      source: adh,
      clientId: config.adhClientId,
      channel: config.approvalChannel,
      thresholds: config.reminderDays,
      post: async (channel, message) => {
        await slack.chat.postMessage({ channel, ...message });
      },
      logger,
      now,
    }),
    intervalSeconds: config.reminderIntervalSeconds,
    syncIntervalSeconds: config.tenantSyncIntervalSeconds,
    now,
  });

  const hasEscalation = config.escalationUsers.length + config.escalationGroups.length > 0;
  const workflow = new RequestWorkflow({
    trail: audit,
    policy: {
      maxSecretDays: config.maxSecretDays,
      neverExpires: config.neverExpires,
      allowedRedirectHosts: config.allowedRedirectHosts,
      requireHttpsRedirects: config.requireHttpsRedirects,
    },
    store,
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
      onApiError,
      now,
      dmThreads: new DmThreadStore(redis),
    }),
    tracker: reminders,
    logger: logger.child({ component: "workflow" }),
    approvalsRequired: config.approvalsRequired,
    allowSelfApproval: config.allowSelfApproval,
    requestTtlMs: config.requestTtlHours * 3_600_000,
    maxOpenRequestsPerUser: config.maxOpenRequestsPerUser,
    channels: new SlackReminderChannels(slack),
    unrevealed: new UnrevealedIndex(redis),
    createLeaseMs: options.createLeaseMs ?? config.createLeaseMs,
    now,
    onEvent: (event) => {
      const outcome = APPROVAL_EVENTS[event];
      if (outcome) metrics.approvals.inc({ outcome });
    },
    escalation: hasEscalation
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
  // The people around a request: vote history and reminders in the approvals thread.
  const approvalThread = new SlackApprovalThread(slack);
  recordVotes(workflow.engine, approvalThread);
  const approverReminders = new ApproverReminders(
    workflow.engine,
    new ApproverReminderStore(redis, {
      intervalMs: config.approvalReminderMinutes * 60_000,
      max: config.approvalRemindersMax,
      escalateAfterMs: hasEscalation ? config.escalateAfterMinutes * 60_000 : undefined,
    }),
    approvalThread,
    {
      approvers: { users: config.approverUsers, groups: config.approverGroups },
      escalation: { users: config.escalationUsers, groups: config.escalationGroups },
      allowSelfApproval: config.allowSelfApproval,
    },
  );
  metrics.setTrackedSecretsSource(() => reminders.tracked.count());
  // App Home: published when opened, refreshed (coalesced) after each change it shows.
  const home = new HomePublisher({
    client: slack,
    store,
    people: new HomePeopleStore(redis),
    mayDecide: (userId) => workflow.mayDecide(userId),
    isAdmin: async (userId) => (await workflow.checkRequester(userId)).ok,
    expiringSoon: async (nowMs) => {
      const horizon = nowMs / 1000 + 30 * 86_400;
      return (await reminders.tracked.listTracked())
        .filter((s) => s.expiration !== null && s.expiration <= horizon)
        .map((s) => ({ ...s, expiration: s.expiration ?? 0 }))
        .sort((a, b) => a.expiration - b.expiration);
    },
    allowSelfApproval: config.allowSelfApproval,
    logger: logger.child({ component: "home" }),
    now,
  });
  workflow.engine.afterChange((_event, request) => home.changed(request));

  // Audit: retention trimming on every replica (idempotent), and with a webhook one
  // shipper in the background (a Redis lease picks which replica ships).
  const trimAudit = () =>
    audit.trim(now()).catch((error: unknown) => {
      logger.warn({ err: String(error) }, "audit trim failed");
    });
  const auditTrimTimer = setInterval(trimAudit, 3_600_000);
  auditTrimTimer.unref();
  const shipper =
    config.auditWebhookUrl && config.auditWebhookSecret
      ? new AuditShipper({
          redis,
          url: config.auditWebhookUrl,
          secret: config.auditWebhookSecret,
          logger: logger.child({ component: "audit-shipper" }),
          now,
        })
      : undefined;
  if (shipper) metrics.setAuditBacklogSource(() => shipper.backlog());

  const slackApp = createSlackApp(
    {
      botToken: config.slackBotToken,
      appToken: config.slackAppToken,
      signingSecret: config.slackSigningSecret,
      apiUrl: config.slackApiUrl,
      appId: config.slackAppId,
      logger,
      identity,
      onRequest: (kind, outcome) => metrics.slackRequests.inc({ kind, outcome }),
      onAck: (kind, seconds) => metrics.ackLatency.observe({ kind }, seconds),
    },
    {
      workflow,
      catalog: new ClientCatalog(adh, { cache: new ListCache<CatalogList>(redis, { now }) }),
      logger,
      now,
      cooldown: new CommandCooldown(redis, { limit: config.userCommandsPer30s, windowMs: 30_000 }),
      responseUrlOrigins: responseUrlOrigins(config.slackApiUrl),
      home,
    },
  );

  // The ops port first: probes get answers (not ready) while Slack is still unreachable.
  const ops = await startOpsServer(
    config.opsPort,
    opsRoutes({
      readiness,
      metrics,
      isShuttingDown: () => shuttingDown,
      onReport: unreadyLogger(logger),
    }),
  );
  void identity.learn();
  const port = config.slackAppToken ? undefined : await slackApp.start(config.port);
  // Socket Mode: connecting is retried in the background; /readyz says slack_socket meanwhile.
  const connecting = config.slackAppToken
    ? keepTrying(
        async () => {
          await slackApp.start(0);
          // A connection that opened after shutdown began must not keep the process alive.
          if (shuttingDown) await slackApp.app.stop();
        },
        logger,
        () => shuttingDown,
      )
    : Promise.resolve();
  // Most starts connect at once: wait a little for that, then let the retries run behind.
  if (config.slackAppToken) await settledWithin(connecting, options.socketStartWaitMs ?? 5_000);
  logger.info(
    { port, opsPort: ops.port, mode: config.slackAppToken ? "socket" : "http" },
    "hybrid-client-bot started",
  );
  void logImpossibleQuorum(slack, config, logger);

  // Timers: pending-request expiry and creates left behind by a crash. Each tick is
  // safe on every replica: the atomic transitions decide who acts.
  let tick: Promise<unknown> = Promise.resolve();
  const runTimers = () => {
    tick = Promise.allSettled([
      workflow.expireDue(),
      workflow.reconcile(),
      approverReminders.sendDue(),
    ]).then((results) => {
      for (const r of results) {
        if (r.status === "rejected") logger.warn({ err: String(r.reason) }, "timer run failed");
      }
    });
  };
  runTimers();
  const timer = setInterval(runTimers, options.timerIntervalMs ?? 5_000);
  timer.unref();
  reminders.start();
  shipper?.start();
  void trimAudit();

  return {
    config,
    logger,
    metrics,
    redis,
    workflow,
    reminders,
    readiness,
    opsPort: ops.port,
    port,
    identity,
    audit,
    approverReminders,
    home,
    async stop(timeoutMs = 10_000) {
      if (shuttingDown) return;
      shuttingDown = true;
      identity.stop();
      // The budget covers closing as well: drain gets what is left after a reserve for it.
      const closeReserveMs = Math.min(1_500, timeoutMs / 4);
      clearInterval(timer);
      clearInterval(auditTrimTimer);
      await slackApp.app.stop().catch(() => undefined);
      // Not awaited: a connect attempt inside the SDK's own retry may take minutes; the
      // identity lookup ends by itself (its wait is aborted by identity.stop()).
      const drained = await workflow.drain(timeoutMs - closeReserveMs);
      if (!drained)
        logger.warn(
          "in-flight work did not finish in time; it will be reconciled on the next start",
        );
      await Promise.race([
        Promise.allSettled([tick, reminders.stop(), shipper?.stop(), home.stop()]),
        new Promise((resolve) => setTimeout(resolve, 300).unref()),
      ]);
      // Calls still on the wire are aborted: a create cut short stays `creating`.
      await adh.close(300);
      await closeRedis(redis);
      await ops.close();
      logger.info("hybrid-client-bot stopped");
    },
  };
}

/** Counts what the reminder engine posts, for /metrics. */
function countedReminders(notifier: ReminderNotifier, metrics: Metrics): ReminderNotifier {
  return {
    async postReminder(channel, reminder) {
      await notifier.postReminder(channel, reminder);
      metrics.remindersSent.inc({ kind: "reminder" });
    },
    async postNeverExpiresFinding(channel, finding) {
      await notifier.postNeverExpiresFinding(channel, finding);
      metrics.remindersSent.inc({ kind: "finding" });
    },
  };
}

/**
 * The bot's own secrets are tracked under a prefix of their own (so the tenant sync never
 * drops them), which in Cluster mode still carries the bot's one hash tag.
 */
function ownCredentialsRedisSettings(config: Config) {
  const settings = redisSettingsOf(config);
  const base =
    redisMode(settings) === "cluster"
      ? clusterKeyPrefix(config.redisKeyPrefix)
      : config.redisKeyPrefix;
  return { ...settings, keyPrefix: `${base}own-client:` };
}
