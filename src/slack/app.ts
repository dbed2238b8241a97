// The Bolt app: HTTP mode (our own front door on PORT: POST /slack/events only, verified
// before parsing) when there is no app-level token, Socket Mode when there is. The ops
// routes are not here: they have a port of their own (src/ops/server.ts).
import type { IncomingMessage } from "node:http";
import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "pino";
import { slackLogger } from "../log.js";
import { socketModeDispatcher } from "../net/proxy.js";
import { SlackHttpBoundary } from "./http-boundary.js";
import type { SlackIdentity } from "./identity.js";
import { registerJourneys } from "./journeys.js";
import type { ListenerContext } from "./kit/context.js";
import { slackClientOptions } from "./web-client.js";
import { foreignRequest } from "./workspace-pin.js";

export interface SlackAppOptions {
  botToken: string;
  appToken: string | undefined;
  signingSecret: string | undefined;
  apiUrl: string | undefined;
  logger: Logger;
  /** The bot's identity in Slack: authorizes requests and pins the workspace. */
  identity: SlackIdentity;
  /** SLACK_APP_ID: when set, requests naming another app (api_app_id) are not acted on. */
  appId?: string | undefined;
  /** Observes every request's kind and whether its listener finished without error. */
  onRequest?: (kind: string, outcome: "ok" | "error") => void;
  /** HTTP mode: seconds from a request's arrival to the ack's response being sent. */
  onAck?: (kind: string, seconds: number) => void;
}

/** Tags the raw HTTP request with the Slack request kind, for the ack timer. */
const KIND = Symbol("slackRequestKind");
type TaggedRequest = IncomingMessage & { [KIND]?: string };

export interface SlackApp {
  app: App;
  /** HTTP mode: listens on `port` (0: any) and resolves with it. Socket Mode: connects once. */
  start(port: number): Promise<number | undefined>;
  /** Socket Mode: is the WebSocket to Slack open? Always true in HTTP mode. */
  socketConnected(): boolean;
}

export function createSlackApp(options: SlackAppOptions, ctx: ListenerContext): SlackApp {
  const logger = slackLogger(options.logger);
  const clientOptions = slackClientOptions(options.apiUrl, options.logger);
  // The socket's own client (apps.connections.open) keeps the SDK's long retry: with our
  // two quick retries, a network blip during Slack's routine reconnect ends Socket Mode.
  const { retryConfig: _quickRetries, ...socketClientOptions } = clientOptions;
  const socket = options.appToken
    ? new SocketModeReceiver({
        appToken: options.appToken,
        // No port and no routes: in Socket Mode the bot listens on OPS_PORT only.
        dispatcher: socketModeDispatcher(),
        installerOptions: { clientOptions: socketClientOptions },
        logger,
      })
    : undefined;
  const http = socket
    ? undefined
    : new SlackHttpBoundary({
        signingSecret: options.signingSecret ?? "",
        logger: options.logger,
        slackLogger: logger,
        kindOf: (req) => (req as TaggedRequest)[KIND],
        ...(options.onAck ? { onAck: options.onAck } : {}),
      });
  const app = new App({
    // Our authorize, not a token: Bolt would keep its first failed auth.test for good.
    authorize: options.identity.authorize,
    receiver: socket ?? (http as SlackHttpBoundary),
    logger,
    logLevel: toSlackLevel(options.logger.level),
    clientOptions,
  });

  // Only a sender holding our signing secret (or our socket) gets this far. A request for
  // another workspace or from another organisation's user (Slack Connect) is acked and ignored.
  app.use(async (args) => {
    const identity = options.identity.current;
    const foreign = identity ? foreignRequest(args.body, identity) : undefined;
    if (foreign) {
      options.logger.warn(foreign, "request from outside our workspace ignored");
      if ("ack" in args && typeof args.ack === "function") await args.ack();
      return;
    }
    await args.next();
  });

  if (options.appId) {
    const ours = options.appId;
    // A payload naming another app means a shared or leaked secret: acked, logged, not acted on.
    app.use(async (args) => {
      const appId = (args.body as { api_app_id?: unknown }).api_app_id;
      if (typeof appId === "string" && appId !== ours) {
        options.logger.warn({ apiAppId: appId }, "request for another Slack app ignored");
        if ("ack" in args && typeof args.ack === "function") await args.ack();
        return;
      }
      await args.next();
    });
  }

  app.use(async ({ body, next, context }) => {
    const kind = requestKind(body as { type?: string; command?: string });
    const httpRequest = (context as { httpRequest?: TaggedRequest }).httpRequest;
    if (httpRequest) httpRequest[KIND] = kind;
    try {
      await next();
      options.onRequest?.(kind, "ok");
    } catch (error) {
      options.onRequest?.(kind, "error");
      throw error;
    }
  });

  registerJourneys(app, ctx);

  const socketConnected = () => (socket ? (socket.client.websocket?.isActive() ?? false) : true);
  app.error(async (error) => {
    options.logger.error(
      { err: error.message, code: (error as { code?: string }).code },
      "unhandled listener error",
    );
  });
  const start = async (port: number) => {
    if (http) return http.start(port);
    await app.start();
    return undefined;
  };
  return { app, start, socketConnected };
}

function requestKind(body: { type?: string; command?: string }): string {
  if (body.command) return "command";
  if (body.type === "block_actions") return "action";
  if (body.type === "view_submission") return "view_submission";
  return "other";
}

function toSlackLevel(level: string): LogLevel {
  if (level === "debug" || level === "trace") return LogLevel.DEBUG;
  if (level === "info") return LogLevel.INFO;
  if (level === "warn") return LogLevel.WARN;
  return LogLevel.ERROR;
}
