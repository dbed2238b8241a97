// The HTTP front door (HTTP mode): PORT serves POST /slack/events and nothing else. A
// request is checked in order of cost, so an unsigned sender cannot make the bot work:
// headers first (signature shape, timestamp within 5 minutes either way), then the body
// is read up to 1 MB and no further, then Slack's HMAC is compared in constant time on
// the raw bytes, and only then is the body parsed and handed to Bolt.
//
// A receiver of our own rather than a layer before Bolt's HTTPReceiver: that receiver
// re-reads and re-verifies the body itself, accepts timestamps far in the future and
// routes anything it is given, so a layer in front would parse twice and still share the
// port with whatever Bolt chooses to serve.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type App,
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPResponseAck,
  type Receiver,
  type ReceiverEvent,
} from "@slack/bolt";
import type { Logger as SlackLogger } from "@slack/logger";
import type { Logger } from "pino";

export const EVENTS_PATH = "/slack/events";
/** Slack's own payloads stay far below this; a larger body is refused unread. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Slack's advice: refuse a request whose timestamp is more than 5 minutes off. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const SIGNATURE_SHAPE = /^v0=[0-9a-f]{64}$/;

export interface HttpBoundaryOptions {
  signingSecret: string;
  logger: Logger;
  slackLogger: SlackLogger;
  /** Tags the request with the Slack request kind (set by a middleware), for the ack timer. */
  kindOf: (req: IncomingMessage) => string | undefined;
  /** Seconds from a request's arrival to its response being sent. */
  onAck?: (kind: string, seconds: number) => void;
  /** Unix seconds (tests). */
  nowSeconds?: () => number;
}

type Refusal = { status: 401 | 404 | 413; why: string };

export class SlackHttpBoundary implements Receiver {
  private app: App | undefined;
  private server: Server | undefined;
  private readonly nowSeconds: () => number;

  constructor(private readonly options: HttpBoundaryOptions) {
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  init(app: App): void {
    this.app = app;
  }

  /** Listens on `port` (0: any free port); resolves with the port taken. */
  start(port: number): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "POST" || path !== EVENTS_PATH) {
      this.refuse(req, res, { status: 404, why: "not the Slack events route" });
      return;
    }
    res.once("finish", () => {
      const kind = this.options.kindOf(req) ?? "unparsed";
      this.options.onAck?.(kind, (performance.now() - started) / 1000);
    });
    const refusal = this.checkHeaders(req);
    if (refusal) {
      this.refuse(req, res, refusal);
      return;
    }
    readLimited(req, BODY_LIMIT_BYTES).then(
      (raw) => {
        if (raw === undefined) {
          this.refuse(req, res, { status: 413, why: `body over ${BODY_LIMIT_BYTES} bytes` });
          return;
        }
        if (!this.signatureMatches(req, raw)) {
          this.refuse(req, res, { status: 401, why: "signature does not match" });
          return;
        }
        this.dispatch(Object.assign(req, { rawBody: raw }), res).catch((error: unknown) =>
          this.failed(req, res, error),
        );
      },
      () => {
        // The sender went away mid-body: there is no one to answer.
        req.destroy();
      },
    );
  }

  /** What can be refused before a single body byte is read. */
  private checkHeaders(req: IncomingMessage): Refusal | undefined {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > BODY_LIMIT_BYTES) {
      return { status: 413, why: `declared body of ${declared} bytes` };
    }
    const signature = req.headers["x-slack-signature"];
    const stamp = req.headers["x-slack-request-timestamp"];
    if (typeof signature !== "string" || !SIGNATURE_SHAPE.test(signature)) {
      return { status: 401, why: "no Slack signature" };
    }
    if (typeof stamp !== "string" || !/^\d{1,12}$/.test(stamp)) {
      return { status: 401, why: "no Slack request timestamp" };
    }
    const skew = Math.abs(this.nowSeconds() - Number(stamp));
    if (skew > MAX_CLOCK_SKEW_SECONDS) {
      return { status: 401, why: `request timestamp ${skew} s away from our clock` };
    }
    return undefined;
  }

  private signatureMatches(req: IncomingMessage, raw: Buffer): boolean {
    const stamp = req.headers["x-slack-request-timestamp"] as string;
    const given = Buffer.from((req.headers["x-slack-signature"] as string).slice(3), "hex");
    const hmac = createHmac("sha256", this.options.signingSecret);
    hmac.update(`v0:${stamp}:`);
    hmac.update(raw);
    const expected = hmac.digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Only a verified body gets here: parse it and hand it to Bolt (as HTTPReceiver would). */
  private async dispatch(req: BufferedIncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(req);
    } catch {
      body = undefined;
    }
    // Bolt reads fields of whatever the body parses to: null or a number would throw there.
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      this.options.logger.warn("Malformed request body: signed, but not a Slack payload");
      HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      return;
    }
    const fields = body as Record<string, unknown>;
    if (fields.ssl_check === "1") {
      HTTPModuleFunctions.buildSSLCheckResponse(res);
      return;
    }
    if (fields.type === "url_verification") {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, fields);
      return;
    }
    const ack = new HTTPResponseAck({
      logger: this.options.slackLogger,
      // Never true in production: the ack must go out before the slow work.
      processBeforeResponse: false,
      httpRequest: req,
      httpRequestBody: fields,
      httpResponse: res,
    });
    const event: ReceiverEvent = {
      body: fields,
      ack: ack.bind(),
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
      customProperties: { httpRequest: req },
    };
    await this.app?.processEvent(event);
  }

  private failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.options.logger.error(
      { err: e.message, code: (e as { code?: string }).code, kind: this.options.kindOf(req) },
      "unhandled error while processing a Slack request",
    );
    if (res.headersSent) return;
    // Thrown before any listener acked: Bolt could not read the body (no user, no view…).
    // A malformed request is the sender's fault: 400.
    HTTPModuleFunctions.buildNoBodyResponse(res, e.name === "AuthorizationError" ? 401 : 400);
  }

  /** Answers without reading the rest of the body, and closes the connection. */
  private refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    if (refusal.status !== 404) {
      this.options.logger.warn(
        { status: refusal.status, why: refusal.why },
        "Slack request refused before parsing",
      );
    }
    if (res.headersSent) return;
    res.writeHead(refusal.status, { connection: "close", "content-length": "0" });
    res.end();
    // What the sender still sends is dropped with the socket, not read.
    res.once("finish", () => req.socket.destroySoon());
  }
}

/** The body, or undefined as soon as it passes `limit` bytes (reading stops there). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error("request aborted"));
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}
