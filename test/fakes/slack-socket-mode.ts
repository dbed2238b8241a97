// Slack's side of Socket Mode, for the fake Slack: the WebSocket that apps.connections.open
// points at. It speaks what @slack/socket-mode 3 expects: a `hello` once connected (the client's
// start() waits for it), envelopes `{envelope_id, type, payload, accepts_response_payload}`,
// acks `{envelope_id, payload}` back, `disconnect` messages, and WebSocket pings (the client
// pings too; `ws` answers with pongs by itself). Each connection URL carries a one-use ticket.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";

export type SocketEnvelopeType = "slash_commands" | "interactive" | "events_api";

/** What Slack sends down the socket for one request. */
export interface SocketEnvelope {
  envelope_id: string;
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
}

/** The app's acknowledgement of an envelope, as received. */
export interface SocketAck {
  envelope_id: string;
  /** What the app passed to ack(); @slack/socket-mode sends `{}` for a bare ack(). */
  payload?: Record<string, unknown>;
  at: number;
  /** From sending the envelope to receiving its ack; undefined for an ack of no envelope we sent. */
  ms?: number;
}

/** Slack's reasons: `warning` comes ~10 s before a `refresh_requested`; `link_disabled` when Socket Mode is switched off. */
export type SocketDisconnectReason = "warning" | "refresh_requested" | "link_disabled";

/** How long Slack waits for an ack before it gives up on (or retries) an envelope. */
export const SOCKET_ACK_TIMEOUT_MS = 3_000;
/** Slack allows an app this many connections at once. */
export const MAX_SOCKET_CONNECTIONS = 10;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

interface Pending {
  type: SocketEnvelopeType;
  sentAt: number;
  resolve: (ack: SocketAck) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface SocketModeHubOptions {
  appId: string;
  now: () => number;
  /** How often the server pings each connection (Slack does; the client then expects it). */
  pingIntervalMs: number;
}

export class SocketModeHub {
  readonly envelopes: SocketEnvelope[] = [];
  readonly acks: SocketAck[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly open: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly closeWaiters = new Set<() => void>();
  private readonly openWaiters = new Set<{
    nth: number;
    done: () => void;
    fail: (e: Error) => void;
  }>();
  private deliveries = 0;
  /** Connections accepted since the start, closed ones included. */
  private accepted = 0;

  constructor(private readonly options: SocketModeHubOptions) {}

  /** Number of connections open now. */
  get connections(): number {
    return this.open.length;
  }

  /** A connection URL for apps.connections.open: usable once. */
  newConnectionUrl(wsBase: string): string {
    const ticket = randomBytes(16).toString("hex");
    this.tickets.add(ticket);
    return `${wsBase}/socket?ticket=${ticket}&app_id=${this.options.appId}`;
  }

  /** The HTTP server's `upgrade` event. Unknown paths, used tickets and an 11th connection are refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const ticket = url.searchParams.get("ticket") ?? "";
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== "/socket") refuse("404 Not Found");
    else if (!this.tickets.delete(ticket)) refuse("401 Unauthorized");
    else if (this.open.length >= MAX_SOCKET_CONNECTIONS) refuse("429 Too Many Requests");
    else this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /**
   * Delivers an envelope on one of the open connections (round-robin: Slack picks any one, this
   * keeps tests deterministic) and resolves with its ack; rejects when none is open or no ack
   * comes within `timeoutMs`.
   */
  send(
    type: SocketEnvelopeType,
    payload: Json,
    timeoutMs: number = SOCKET_ACK_TIMEOUT_MS,
  ): Promise<SocketAck> {
    const live = this.open.filter((ws) => ws.readyState === WebSocket.OPEN);
    const target = live[this.deliveries % Math.max(live.length, 1)];
    if (target === undefined) {
      return Promise.reject(new Error(`no Socket Mode connection is open to deliver ${type}`));
    }
    this.deliveries += 1;
    const envelope: SocketEnvelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: acceptsResponsePayload(type, payload),
    };
    this.envelopes.push(envelope);
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(
          new Error(`no ack for ${type} envelope ${envelope.envelope_id} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(envelope.envelope_id, {
        type,
        sentAt: performance.now(),
        resolve,
        reject,
        timer,
      });
      target.send(JSON.stringify(envelope));
    });
  }

  /** Sends `{type:"disconnect"}` on every open connection; the client closes and reconnects. */
  disconnect(reason: SocketDisconnectReason): void {
    for (const ws of this.open) {
      ws.send(
        JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-fake-1" } }),
      );
    }
  }

  /** Resolves once the `nth` connection since the start (1-based) has been sent its hello. */
  whenConnected(nth: number, timeoutMs = 5_000): Promise<void> {
    if (this.accepted >= nth) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        nth,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.openWaiters.delete(waiter);
        reject(
          new Error(`connection #${nth} not made within ${timeoutMs} ms (${this.accepted} so far)`),
        );
      }, timeoutMs);
      this.openWaiters.add(waiter);
    });
  }

  /** Resolves once no connection is open (at once when none is); rejects after timeoutMs. */
  whenNoConnections(timeoutMs = 5_000): Promise<void> {
    if (this.open.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.closeWaiters.delete(done);
        reject(new Error(`${this.open.length} Socket Mode connection(s) still open`));
      }, timeoutMs);
      this.closeWaiters.add(done);
    });
  }

  /** Drops every connection without a close handshake and fails what waits for an ack. */
  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("fake Slack closed"));
    }
    this.pending.clear();
    for (const waiter of this.openWaiters) waiter.fail(new Error("fake Slack closed"));
    this.openWaiters.clear();
    for (const ws of [...this.open]) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.open.push(ws);
    this.accepted += 1;
    const pinger = setInterval(() => ws.ping(), this.options.pingIntervalMs);
    pinger.unref();
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.receive(String(data));
    });
    // A client vanishing mid-frame: the close below still runs.
    ws.on("error", () => undefined);
    ws.on("close", () => {
      clearInterval(pinger);
      this.open.splice(this.open.indexOf(ws), 1);
      if (this.open.length === 0) {
        for (const done of this.closeWaiters) done();
        this.closeWaiters.clear();
      }
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.open.length,
        debug_info: {
          host: "applink-fake-1",
          build_number: 1,
          approximate_connection_time: 18_060,
        },
        connection_info: { app_id: this.options.appId },
      }),
    );
    for (const waiter of this.openWaiters) {
      if (this.accepted >= waiter.nth) {
        this.openWaiters.delete(waiter);
        waiter.done();
      }
    }
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // Slack ignores what it cannot parse
    }
    if (!isObject(message) || typeof message.envelope_id !== "string") return;
    const pending = this.pending.get(message.envelope_id);
    const ack: SocketAck = {
      envelope_id: message.envelope_id,
      ...(isObject(message.payload) ? { payload: message.payload } : {}),
      at: this.options.now(),
      ...(pending ? { ms: performance.now() - pending.sentAt } : {}),
    };
    this.acks.push(ack);
    if (pending === undefined) return; // a late or repeated ack: recorded, nobody waits for it
    clearTimeout(pending.timer);
    this.pending.delete(message.envelope_id);
    pending.resolve(ack);
  }
}

/** Slack takes a response in the ack for slash commands, view submissions and option requests only. */
function acceptsResponsePayload(type: SocketEnvelopeType, payload: Json): boolean {
  if (type === "slash_commands") return true;
  if (type === "interactive") {
    return payload.type === "view_submission" || payload.type === "block_suggestion";
  }
  return false;
}
