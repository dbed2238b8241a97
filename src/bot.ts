// Wiring: config → ADH client, Redis, workflow, reminders, Slack app, ops routes.
// `startBot` is what main.ts runs and what the end-to-end tests start (several times,
// for replicas and restarts), so everything it opens, `stop()` closes.
import type { DestinationStream } from "pino";
import { AdhClient } from "./adh/client.js";
import { ClientCatalog } from "./adh/client-catalog.js";
import { UserDirectory } from "./adh/users.js";
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
import type { ReminderNotifier } from "./reminders/ports.js";
import { ReminderService } from "./reminders/service.js";
import { RequestWorkflow } from "./requests/workflow.js";
import { createSlackApp } from "./slack/app.js";
import { SlackNotifier } from "./slack/notifier.js";
import { SlackPeople } from "./slack/people.js";
import { SlackReminderNotifier } from "./slack/reminders/notifier.js";
import { createSlackClient } from "./slack/web-client.js";
import { closeRedis, createRedis, pingRedis, type Redis } from "./store/redis.js";
import { RequestStore } from "./store/request-store.js";

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
  /** Stops taking requests, finishes in-flight work (bounded), closes everything. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startBot(config: Config, options: BotOptions = {}): Promise<Bot> {
  const now = options.now ?? Date.now;
  const logger = createLogger({ level: config.logLevel, destination: options.logDestination });
  const metrics = createMetrics();
  const redis = createRedis({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix });
  redis.on("error", (error) => {
    metrics.redisErrors.inc();
    logger.warn({ err: error.message }, "redis error");
  });

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
    slack: rememberSuccess(async () => {
      await slack.auth.test();
    }, 60_000),
    adh: async () => {
      await adh.getToken();
    },
    // Socket Mode: the SDK reconnects by itself (Slack refreshes sockets routinely), but
    // gives up for good on some errors; a socket down past the grace period is not ready.
    ...(config.slackAppToken
      ? { slack_socket: socketWatch(() => socketConnected(), options.socketGraceMs ?? 30_000, now) }
      : {}),
  });

  const store = new RequestStore(redis);
  const slack = createSlackClient(config.slackBotToken, config.slackApiUrl, logger);
  const onApiError = (method: string, error: string) =>
    metrics.slackApiErrors.inc({ method, error });

  const reminders = new ReminderService({
    redis,
    source: adh,
    notifier: countedReminders(new SlackReminderNotifier(slack), metrics),
    logger,
    thresholds: config.reminderDays,
    reminderChannel: config.reminderChannel,
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
    now,
    onEvent: (event) => {
      const outcome = APPROVAL_EVENTS[event];
      if (outcome) metrics.approvals.inc({ outcome });
    },
  });
  metrics.setTrackedSecretsSource(() => reminders.tracked.count());

  const { app: slackApp, socketConnected } = createSlackApp(
    {
      botToken: config.slackBotToken,
      appToken: config.slackAppToken,
      signingSecret: config.slackSigningSecret,
      apiUrl: config.slackApiUrl,
      appId: config.slackAppId,
      port: config.port,
      logger,
      routes: opsRoutes({ readiness, metrics, isShuttingDown: () => shuttingDown }),
      onRequest: (kind, outcome) => metrics.slackRequests.inc({ kind, outcome }),
      onAck: (kind, seconds) => metrics.ackLatency.observe({ kind }, seconds),
    },
    { workflow, catalog: new ClientCatalog(adh), logger, now },
  );

  await slackApp.start(config.port);
  logger.info(
    { port: config.port, mode: config.slackAppToken ? "socket" : "http" },
    "hybrid-client-bot started",
  );

  // Timers: pending-request expiry and creates left behind by a crash. Each tick is
  // safe on every replica: the atomic transitions decide who acts.
  let tick: Promise<unknown> = Promise.resolve();
  const runTimers = () => {
    tick = Promise.allSettled([workflow.expireDue(), workflow.reconcile()]).then((results) => {
      for (const r of results) {
        if (r.status === "rejected") logger.warn({ err: String(r.reason) }, "timer run failed");
      }
    });
  };
  runTimers();
  const timer = setInterval(runTimers, options.timerIntervalMs ?? 5_000);
  timer.unref();
  reminders.start();

  return {
    config,
    logger,
    metrics,
    redis,
    workflow,
    reminders,
    readiness,
    async stop(timeoutMs = 10_000) {
      if (shuttingDown) return;
      shuttingDown = true;
      // The budget covers closing as well: drain gets what is left after a reserve for it.
      const closeReserveMs = Math.min(1_500, timeoutMs / 4);
      clearInterval(timer);
      await slackApp.stop().catch(() => undefined);
      const drained = await workflow.drain(timeoutMs - closeReserveMs);
      if (!drained)
        logger.warn(
          "in-flight work did not finish in time; it will be reconciled on the next start",
        );
      await Promise.race([
        Promise.allSettled([tick, reminders.stop()]),
        new Promise((resolve) => setTimeout(resolve, 300).unref()),
      ]);
      // Calls still on the wire are aborted: a create cut short stays `creating`.
      await adh.close(300);
      await closeRedis(redis);
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

/** A readiness check that fails once the socket has been down longer than `graceMs`. */
function socketWatch(isUp: () => boolean, graceMs: number, now: () => number): () => Promise<void> {
  let downSince: number | undefined;
  return async () => {
    if (isUp()) {
      downSince = undefined;
      return;
    }
    downSince ??= now();
    const downMs = now() - downSince;
    if (downMs >= graceMs) {
      throw new Error(
        `the Socket Mode connection to Slack has been down for ${Math.round(downMs / 1000)} s`,
      );
    }
  };
}
