// The Bolt app: HTTP mode (POST /slack/events, signatures verified) when there is no
// app-level token, Socket Mode when there is. Ops routes are served in both modes.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  App,
  type CustomRoute,
  defaultBodyLimit,
  HTTPModuleFunctions,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
} from "@slack/bolt";
import type { Logger } from "pino";
import { slackLogger } from "../log.js";
import { registerJourneys } from "./journeys.js";
import type { ListenerContext } from "./kit/context.js";
import { slackClientOptions } from "./web-client.js";

export interface SlackAppOptions {
  botToken: string;
  appToken: string | undefined;
  signingSecret: string | undefined;
  apiUrl: string | undefined;
  port: number;
  logger: Logger;
  routes: CustomRoute[];
  /** SLACK_APP_ID: when set, requests naming another app (api_app_id) are not acted on. */
  appId?: string | undefined;
  /** Bot user and bot ids, when known, spare Bolt its own auth.test at start. */
  botIdentity?: { botId: string; botUserId: string };
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
        installerOptions: { port: options.port, clientOptions: socketClientOptions },
        customRoutes: options.routes,
        logger,
      })
    : undefined;
  const app = new App({
    token: options.botToken,
    receiver: socket ?? httpReceiver(options, logger),
    logger,
    logLevel: toSlackLevel(options.logger.level),
    ...(options.botIdentity ?? {}),
    clientOptions,
  });

  if (options.appId) {
    const ours = options.appId;
    // Only a sender holding our signing secret gets this far: a payload naming another app
    // means a shared or leaked secret. It is acknowledged, logged and never acted on.
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
  return { app, socketConnected };
}

function httpReceiver(
  options: SlackAppOptions,
  logger: ReturnType<typeof slackLogger>,
): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret ?? "",
    port: options.port,
    customRoutes: options.routes,
    logger,
    // Never true in production: the ack must go out before the slow work.
    processBeforeResponse: false,
    customPropertiesExtractor: (req) => ({ httpRequest: req }),
    // Bolt's default handler logs the error itself only at debug: say what it was.
    processEventErrorHandler: async (args) => {
      const req = args.request as TaggedRequest;
      options.logger.error(
        { err: args.error.message, code: (args.error as { code?: string }).code, kind: req[KIND] },
        "unhandled error while processing a Slack request",
      );
      // Thrown before any listener acked: Bolt could not read the body (no user, no view…).
      // A malformed request is the sender's fault, 400; Bolt's default would answer 500.
      if (!args.response.headersSent && args.error.name !== "AuthorizationError") {
        args.response.writeHead(400);
        args.response.end();
        return true;
      }
      return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
    },
  });
  const listener = receiver.requestListener;
  receiver.requestListener = (req: TaggedRequest, res: ServerResponse) => {
    const started = performance.now();
    res.once("finish", () => {
      if (req.url?.startsWith("/slack/events")) {
        options.onAck?.(req[KIND] ?? "unparsed", (performance.now() - started) / 1000);
      }
    });
    if (req.method !== "POST" || !req.url?.startsWith("/slack/events")) return listener(req, res);
    refuseNonObjectBody(req, res).then(
      (refused) => {
        if (!refused) listener(req, res);
      },
      (error: unknown) => {
        // The body could not be read (above Bolt's limit, or the client went away).
        if (res.headersSent) return;
        res.writeHead(HTTPModuleFunctions.isRawBodyError(error) ? 413 : 400);
        res.end();
      },
    );
  };
  return receiver;
}

/**
 * Bolt reads `body.ssl_check` of whatever the body parses to, outside any try: a body that
 * parses to null (`payload=null`) would never be answered and would reject a promise that
 * nobody awaits. Such bodies get 400 here; Bolt reuses the buffered body for the rest.
 */
async function refuseNonObjectBody(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, defaultBodyLimit);
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    return false; // Bolt answers what it cannot parse itself (401 unsigned, else 400)
  }
  if (typeof body === "object" && body !== null) return false;
  res.writeHead(400);
  res.end();
  return true;
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
