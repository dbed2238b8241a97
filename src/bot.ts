// Wiring: config → ADH client, Redis, workflow, reminders, Slack app, ops routes.
// `startBot` is what main.ts runs and what the end-to-end tests start (several times,
// for replicas and restarts), so everything it opens, `stop()` closes.

import { WebClient } from "@slack/web-api";
import type { DestinationStream } from "pino";
import { AdhClient } from "./adh/client.js";
import { ClientCatalog } from "./adh/client-catalog.js";
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
import { RequestWorkflow } from "./requests/workflow.js";
import { createSlackApp } from "./slack/app.js";
import { SlackIdentity } from "./slack/identity.js";
import { SlackNotifier } from "./slack/notifier.js";
import { SlackPeople } from "./slack/people.js";
import { SlackReminderNotifier } from "./slack/reminders/notifier.js";
import { createSlackClient, slackClientOptions } from "./slack/web-client.js";
import { AuditShipper } from "./store/audit-shipper.js";
import { AuditTrail } from "./store/audit-stream.js";
import { ChannelPacer, pacedReminders } from "./store/channel-pacer.js";
import {
  closeRedis,
  connectRedis,
  pingRedis,
  type RedisClient as Redis,
  redisSettingsOf,
} from "./store/redis.js";
import { watchRedisOutage } from "./store/redis-outage-log.js";
import { RequestStore } from "./store/request-store.js";
import { RetirementStore } from "./store/retirements.js";

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

  const reminders = new ReminderService({
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
      redis: connectRedis(
        redisSettingsOf({ ...config, redisKeyPrefix: `${config.redisKeyPrefix}own-client:` }),
      ),
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

  const workflow = new RequestWorkflow({
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
    }),
    tracker: reminders,
    logger: logger.child({ component: "workflow" }),
    approvalsRequired: config.approvalsRequired,
    allowSelfApproval: config.allowSelfApproval,
    requestTtlMs: config.requestTtlHours * 3_600_000,
    createLeaseMs: options.createLeaseMs ?? config.createLeaseMs,
    retirements: new RetirementStore(redis),
    now,
    onEvent: (event) => {
      const outcome = APPROVAL_EVENTS[event];
      if (outcome) metrics.approvals.inc({ outcome });
    },
  });
  metrics.setTrackedSecretsSource(() => reminders.tracked.count());

  // Audit: retention trimming on every replica (idempotent), and with a webhook one
  // shipper in the background (a Redis lease picks which replica ships).
  const audit = new AuditTrail(redis, { retentionDays: config.auditRetentionDays });
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
    { workflow, catalog: new ClientCatalog(adh), logger, now },
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
      workflow.remindRetirements(),
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
        Promise.allSettled([tick, reminders.stop(), shipper?.stop()]),
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
