// Wiring: config → ADH client, Redis, workflow, reminders, Slack app, ops routes.
// `startBot` is what main.ts runs and what the end-to-end tests start (several times,
// for replicas and restarts), so everything it opens, `stop()` closes.

import type { DestinationStream } from "pino";
import { AdhClient } from "./adh/client.js";
import { type CatalogList, ClientCatalog } from "./adh/client-catalog.js";
import { logImpossibleQuorum } from "./approver-quorum.js";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { adhCallObserver, createMetrics, type Metrics } from "./ops/metrics.js";
import { Readiness, rememberSuccess } from "./ops/readiness.js";
import { opsRoutes } from "./ops/routes.js";
import { startOpsServer } from "./ops/server.js";
import { keepTrying, settledWithin, socketWatch, unreadyLogger } from "./ops/startup.js";
import type { ReminderService } from "./reminders/service.js";
import type { ApproverReminders } from "./requests/approver-reminders.js";
import type { RequestWorkflow } from "./requests/workflow.js";
import { createSlackApp } from "./slack/app.js";
import type { HomePublisher } from "./slack/home/publisher.js";
import { SlackIdentity } from "./slack/identity.js";
import { responseUrlOrigins } from "./slack/kit/response-url.js";
import { createSlackClient } from "./slack/web-client.js";
import { AuditTrail } from "./store/audit-stream.js";
import { CommandCooldown } from "./store/cooldown.js";
import { ListCache } from "./store/list-cache.js";
import {
  closeRedis,
  connectRedis,
  pingRedis,
  type RedisClient as Redis,
  redisSettingsOf,
} from "./store/redis.js";
import { watchRedisOutage } from "./store/redis-outage-log.js";
import { RequestStore } from "./store/request-store.js";
import { auditUpkeep } from "./wiring/audit.js";
import { wirePeople } from "./wiring/people.js";
import { createReminders } from "./wiring/reminders.js";
import type { Wiring } from "./wiring/shared.js";
import { createWorkflow } from "./wiring/workflow.js";

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
  const slack = createSlackClient(config.slackBotToken, config.slackApiUrl, logger);
  const identity = new SlackIdentity({ client: slack, botToken: config.slackBotToken, logger });
  const wiring: Wiring = { config, logger, metrics, redis, adh, slack, now };

  // Audit: the stream every transition appends to (inside its compare-and-set).
  const audit = new AuditTrail(redis, { retentionDays: config.auditRetentionDays });
  const reminders = createReminders(wiring, audit);
  metrics.setTrackedSecretsSource(() => reminders.tracked.count());
  const workflow = createWorkflow(wiring, {
    store,
    audit,
    reminders,
    createLeaseMs: options.createLeaseMs,
  });
  const { approverReminders, home } = wirePeople(wiring, { workflow, store, reminders });
  const upkeep = auditUpkeep(wiring, audit);

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
  upkeep.start();

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
      await slackApp.app.stop().catch(() => undefined);
      // Not awaited: a connect attempt inside the SDK's own retry may take minutes; the
      // identity lookup ends by itself (its wait is aborted by identity.stop()).
      const drained = await workflow.drain(timeoutMs - closeReserveMs);
      if (!drained)
        logger.warn(
          "in-flight work did not finish in time; it will be reconciled on the next start",
        );
      await Promise.race([
        Promise.allSettled([tick, reminders.stop(), upkeep.stop(), home.stop()]),
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
