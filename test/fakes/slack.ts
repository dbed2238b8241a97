// A fake Slack Web API on a real HTTP server. The bot reaches it through SLACK_API_URL exactly as
// it reaches slack.com (form-encoded bodies, Bearer token, 200 + {ok} or 429 + Retry-After), and it
// refuses what Slack refuses: every limit in LIMITS is enforced, so a payload that would break in
// production breaks in the tests first. For Socket Mode it answers apps.connections.open (app-level
// token only) and serves the WebSocket it points at (./slack-socket-mode.ts).
import { randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  checkHomeView,
  checkMessage,
  checkString,
  checkView,
  isObject,
  type Json,
  Problems,
  Refusal,
} from "./slack-block-kit.js";
import { LIMITS } from "./slack-limits.js";
import {
  SOCKET_ACK_TIMEOUT_MS,
  type SocketAck,
  type SocketDisconnectReason,
  type SocketEnvelope,
  type SocketEnvelopeType,
  SocketModeHub,
} from "./slack-socket-mode.js";

export type { SocketAck, SocketDisconnectReason, SocketEnvelope, SocketEnvelopeType };
export { LIMITS };

export interface FakeSlackOptions {
  /** Default "xoxb-test-token". */
  botToken?: string;
  /** The app-level token apps.connections.open takes; default "xapp-1-A0FAKEAPP1-1-test". */
  appToken?: string;
  /** How often the Socket Mode server pings each connection; default 10 s. */
  socketPingIntervalMs?: number;
  /** Granted bot scopes; default: the bot scopes of manifest/manifest.json. */
  scopes?: string[];
  /** Rate-limit the next `times` (default 1) calls of `method` from the start. */
  rateLimit?: { method: string; retryAfter: number; times?: number }[];
  /** Clock for trigger and response_url expiry and recorded times; default Date.now. */
  now?: () => number;
}

/** One Web API call. `args` are decoded: the JSON-string fields `blocks`, `view`, `attachments` are objects again. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  response: Record<string, unknown>;
  /** HTTP status answered: 200, or 429 when rate-limited. */
  status: number;
}

/** One post to a response_url, refused ones included (status 404 or 400). */
export interface RecordedResponse {
  url: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
}

export type FakeFault = { ratelimited: { retryAfter: number } } | { error: string };

export interface FakeUser {
  id: string;
  email?: string;
  name?: string;
  deleted?: boolean;
  isBot?: boolean;
}

export interface FakeMessage {
  ts: string;
  text?: string;
  blocks?: unknown[];
}

export type ViewAckResult = { ok: true } | { ok: false; error: string; messages: string[] };

export interface FakeSlack {
  /** Base URL ending in "/api/", for SLACK_API_URL. */
  url: string;
  botToken: string;
  /** The app-level token (xapp-…) for SLACK_APP_TOKEN: Socket Mode. */
  appToken: string;
  botUserId: string;
  botId: string;
  teamId: string;
  appId: string;
  calls: RecordedCall[];
  responses: RecordedResponse[];
  callsTo(method: string): RecordedCall[];
  /** Resolves when a call matching predicate has been recorded (already or later); rejects after timeoutMs (default 5000). */
  waitForCall(
    method: string,
    predicate?: (c: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  waitForResponse(
    predicate?: (r: RecordedResponse) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedResponse>;
  /** Valid for 3 s, usable once by views.open (or views.push when minted from an interaction in `fromViewId`). */
  mintTriggerId(fromViewId?: string): string;
  /** A URL on this server, usable 5 times within 30 min. Minted for a click on a message, it can replace or delete it. */
  mintResponseUrl(origin?: { channel: string; ts: string }): string;
  addUser(u: FakeUser): void;
  addUserGroup(id: string, userIds: string[]): void;
  /** Bot membership defaults to true; ids starting with G are private unless told otherwise. */
  addChannel(
    id: string,
    opts?: { member?: boolean; archived?: boolean; isPrivate?: boolean },
  ): void;
  /** The next `times` (default 1) calls of `method` answer 429 with Retry-After, or {ok:false,error}. */
  failNext(method: string, fault: FakeFault, times?: number): void;
  /** Chaos: answer this fraction of Web API calls with 429 Retry-After: 1. */
  setRandom429(rate: number): void;
  /** Current messages of a conversation (a user id means the bot's DM with that user), oldest first. */
  messages(channel: string): FakeMessage[];
  /** The Home tab the bot last published for a user (views.publish), or undefined. */
  home(userId: string): Record<string, unknown> | undefined;
  /** The view as Slack last rendered it (ids filled in, current hash), and whether it is still open. */
  view(viewId: string): { view: Record<string, unknown>; open: boolean } | undefined;
  user(id: string): FakeUser | undefined;
  /** The D… id of the bot's DM with a user, once one exists. */
  dmOf(userId: string): string | undefined;
  /** What Slack does with the bot's answer to a view_submission: validate it, then close, update, push or show errors. */
  applyViewSubmissionAck(viewId: string, ack: unknown): ViewAckResult;
  /**
   * Socket Mode: delivers an envelope on an open connection (round-robin over several) and
   * resolves with the app's ack; rejects when none is open or no ack comes within 3 s.
   */
  socketSend(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    timeoutMs?: number,
  ): Promise<SocketAck>;
  /** Envelopes delivered and acks received, in order. */
  socketEnvelopes: SocketEnvelope[];
  socketAcks: SocketAck[];
  /** Socket Mode connections open now. */
  socketConnections(): number;
  /** Resolves once the `nth` connection since the start (1-based) has been sent its hello. */
  waitForSocketConnection(nth: number, timeoutMs?: number): Promise<void>;
  /** Resolves once no Socket Mode connection is open. */
  waitForSocketsClosed(timeoutMs?: number): Promise<void>;
  /** Sends Slack's `{type:"disconnect", reason}` on every open connection. */
  socketDisconnect(reason?: SocketDisconnectReason): void;
  /**
   * POST here what Slack would POST to an HTTP-mode app (form-encoded, signature ignored): it is
   * delivered over the socket and the ack comes back as the response body (empty for a bare ack,
   * 504 without one). So the SlackDriver, written for HTTP mode, drives a Socket Mode app as is.
   */
  socketBridgeUrl: string;
  /** While down, every Web API call (apps.connections.open too) has its connection dropped, as in an outage. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The server.

interface Conversation {
  id: string;
  member: boolean;
  archived: boolean;
  isPrivate: boolean;
  /** For DMs: the user on the other side. */
  user?: string;
  messages: Map<string, StoredMessage>;
}
interface StoredMessage {
  ts: string;
  text?: string;
  blocks?: unknown[];
  threadTs?: string;
}
interface StoredView {
  id: string;
  rootId: string;
  previousId: string | null;
  open: boolean;
  rendered: Json;
}
interface Trigger {
  expiresAt: number;
  used: boolean;
  viewId?: string;
}
interface ResponseHook {
  uses: number;
  expiresAt: number;
  origin?: { channel: string; ts: string };
}
interface Waiter<T> {
  match: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const JSON_FIELDS = ["blocks", "view", "attachments"];
/** Methods that take the app-level token (xapp-…) instead of the bot token. */
const APP_TOKEN_METHODS = new Set(["apps.connections.open"]);
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const slackId = (prefix: string) =>
  prefix + Array.from({ length: 10 }, () => ID_CHARS[randomInt(ID_CHARS.length)]).join("");
const shortId = () => randomBytes(3).toString("base64url");

function manifestBotScopes(): string[] {
  const manifest = JSON.parse(
    readFileSync(new URL("../../manifest/manifest.json", import.meta.url), "utf8"),
  ) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

/** Fills the block_id and action_id Slack generates when the app leaves them out. */
function withGeneratedIds(blocks: unknown): unknown[] {
  if (!Array.isArray(blocks)) return [];
  const element = (e: unknown) =>
    isObject(e) && e.type !== "image" && e.action_id === undefined
      ? { ...e, action_id: shortId() }
      : e;
  return blocks.map((b) => {
    if (!isObject(b)) return b;
    const copy: Json = { ...b, block_id: b.block_id ?? shortId() };
    if (Array.isArray(b.elements) && b.type === "actions") copy.elements = b.elements.map(element);
    if (b.accessory !== undefined) copy.accessory = element(b.accessory);
    if (b.element !== undefined) copy.element = element(b.element);
    return copy;
  });
}

function decodeArgs(raw: Record<string, unknown>): Json {
  const args: Json = { ...raw };
  for (const field of JSON_FIELDS) {
    const v = args[field];
    if (typeof v === "string") {
      try {
        args[field] = JSON.parse(v);
      } catch {
        // left as a string: the method answers invalid_blocks_format / invalid_arguments
      }
    }
  }
  return args;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(
  res: ServerResponse,
  status: number,
  body: Json | string,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain" : "application/json; charset=utf-8",
    ...headers,
  });
  res.end(text);
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const now = options.now ?? Date.now;
  const botToken = options.botToken ?? "xoxb-test-token";
  const appToken = options.appToken ?? "xapp-1-A0FAKEAPP1-1-test";
  const scopes = new Set(options.scopes ?? manifestBotScopes());
  const ids = {
    botUserId: "U0FAKEBOT1",
    botId: "B0FAKEBOT1",
    teamId: "T0FAKETEAM",
    appId: "A0FAKEAPP1",
  };

  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const sockets = new SocketModeHub({
    appId: ids.appId,
    now,
    pingIntervalMs: options.socketPingIntervalMs ?? 10_000,
  });
  const callWaiters = new Set<Waiter<RecordedCall>>();
  const responseWaiters = new Set<Waiter<RecordedResponse>>();
  const users = new Map<string, FakeUser>([
    [ids.botUserId, { id: ids.botUserId, name: "hybrid-client-bot", isBot: true }],
  ]);
  const userGroups = new Map<string, string[]>();
  const conversations = new Map<string, Conversation>();
  const dmByUser = new Map<string, string>();
  const views = new Map<string, StoredView>();
  const homes = new Map<string, Json>();
  const triggers = new Map<string, Trigger>();
  const hooks = new Map<string, ResponseHook>();
  const faults = new Map<string, { fault: FakeFault; remaining: number }[]>();
  let random429 = 0;
  // Set once the server listens: apps.connections.open needs it for the socket's URL.
  let wsBase = "";
  let tsCounter = 0;
  const tsBase = Math.floor(now() / 1000);

  // Unique and increasing, like Slack's: "1700000000.000100", "1700000000.000200", …
  const nextTs = () => {
    tsCounter += 1;
    const micros = tsCounter * 100;
    return `${tsBase + Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
  };
  const newHash = () => `${Math.floor(now() / 1000)}.${randomBytes(4).toString("hex")}`;

  const needScope = (scope: string) => {
    if (!scopes.has(scope)) {
      throw new Refusal("missing_scope", [], { needed: scope, provided: [...scopes].join(",") });
    }
  };

  const notify = <T>(waiters: Set<Waiter<T>>, item: T) => {
    for (const w of waiters) {
      if (w.match(item)) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve(item);
      }
    }
  };
  const waitFor = <T>(
    list: T[],
    waiters: Set<Waiter<T>>,
    match: (item: T) => boolean,
    timeoutMs: number,
    what: () => string,
  ): Promise<T> => {
    const found = list.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${what()} did not arrive within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  };

  // --- conversations -------------------------------------------------------------------------

  const dmWith = (userId: string): Conversation => {
    const existing = dmByUser.get(userId);
    if (existing !== undefined) return conversations.get(existing)!;
    const dm: Conversation = {
      id: slackId("D"),
      member: true,
      archived: false,
      isPrivate: true,
      user: userId,
      messages: new Map(),
    };
    conversations.set(dm.id, dm);
    dmByUser.set(userId, dm.id);
    return dm;
  };
  const existingUser = (id: unknown): FakeUser => {
    const user = typeof id === "string" ? users.get(id) : undefined;
    if (user === undefined) throw new Refusal("user_not_found");
    return user;
  };
  /** Where a new message goes: a user id means the bot's DM with that user. */
  const postTarget = (channel: unknown): Conversation => {
    if (typeof channel !== "string" || channel === "") throw new Refusal("channel_not_found");
    if (/^[UW]/.test(channel)) {
      if (!users.has(channel)) throw new Refusal("channel_not_found");
      return dmWith(channel);
    }
    const c = conversations.get(channel);
    if (c === undefined) throw new Refusal("channel_not_found");
    if (c.archived) throw new Refusal("is_archived");
    if (!c.member) {
      // Slack hides private channels from apps that are not in them.
      if (c.isPrivate) throw new Refusal("channel_not_found");
      if (!scopes.has("chat:write.public")) throw new Refusal("not_in_channel");
    }
    return c;
  };
  /** Existing messages are addressed by conversation id only: chat.update needs the D… id for DMs. */
  const messageAt = (channel: unknown, ts: unknown): [Conversation, StoredMessage] => {
    const c = typeof channel === "string" ? conversations.get(channel) : undefined;
    if (c === undefined) throw new Refusal("channel_not_found");
    const m = typeof ts === "string" ? c.messages.get(ts) : undefined;
    if (m === undefined) throw new Refusal("message_not_found");
    return [c, m];
  };
  const renderMessage = (m: StoredMessage): Json => ({
    type: "message",
    user: ids.botUserId,
    bot_id: ids.botId,
    app_id: ids.appId,
    team: ids.teamId,
    ts: m.ts,
    text: m.text ?? "",
    ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
    ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
  });

  // --- views ---------------------------------------------------------------------------------

  const validView = (view: unknown): Json => {
    if (typeof view === "string") {
      throw new Refusal("invalid_arguments", [
        "[ERROR] view is not valid JSON [json-pointer:/view]",
      ]);
    }
    if (JSON.stringify(view ?? null).length > LIMITS.viewBytes) throw new Refusal("view_too_large");
    const problems = checkView(view);
    if (problems.length > 0) throw new Refusal("invalid_arguments", problems);
    return view as Json;
  };
  const checkExternalId = (view: Json, ownId?: string) => {
    if (typeof view.external_id !== "string" || view.external_id === "") return;
    for (const v of views.values()) {
      if (v.id !== ownId && v.open && v.rendered.external_id === view.external_id) {
        throw new Refusal("duplicate_external_id");
      }
    }
  };
  const render = (id: string, rootId: string, previousId: string | null, view: Json): Json => ({
    id,
    team_id: ids.teamId,
    type: "modal",
    title: view.title,
    submit: view.submit ?? null,
    close: view.close ?? null,
    blocks: withGeneratedIds(view.blocks),
    private_metadata: view.private_metadata ?? "",
    callback_id: view.callback_id ?? "",
    external_id: view.external_id ?? "",
    state: { values: {} },
    hash: newHash(),
    clear_on_close: view.clear_on_close ?? false,
    notify_on_close: view.notify_on_close ?? false,
    submit_disabled: view.submit_disabled ?? false,
    root_view_id: rootId,
    previous_view_id: previousId,
    app_id: ids.appId,
    app_installed_team_id: ids.teamId,
    bot_id: ids.botId,
  });
  const stackOf = (rootId: string) =>
    [...views.values()].filter((v) => v.open && v.rootId === rootId);
  const openView = (view: Json, rootId?: string, previousId: string | null = null): Json => {
    const id = slackId("V");
    const stored: StoredView = {
      id,
      rootId: rootId ?? id,
      previousId,
      open: true,
      rendered: render(id, rootId ?? id, previousId, view),
    };
    views.set(id, stored);
    return stored.rendered;
  };
  const replaceView = (stored: StoredView, view: Json): Json => {
    stored.rendered = render(stored.id, stored.rootId, stored.previousId, view);
    return stored.rendered;
  };
  const pushView = (fromViewId: string, view: Json): Json => {
    const from = views.get(fromViewId);
    if (from === undefined || !from.open) throw new Refusal("not_found");
    if (stackOf(from.rootId).length >= LIMITS.viewStack) throw new Refusal("push_limit_reached");
    return openView(view, from.rootId, fromViewId);
  };
  const exchangeTrigger = (triggerId: unknown): Trigger => {
    if (typeof triggerId !== "string" || triggerId === "") {
      throw new Refusal("invalid_arguments", ["[ERROR] missing required field: trigger_id"]);
    }
    const trigger = triggers.get(triggerId);
    if (trigger === undefined) throw new Refusal("invalid_trigger_id");
    if (trigger.used) throw new Refusal("exchanged_trigger_id");
    if (now() > trigger.expiresAt) throw new Refusal("expired_trigger_id");
    return trigger;
  };

  // --- methods -------------------------------------------------------------------------------

  const methods: Record<string, (args: Json) => Json> = {
    "apps.connections.open": () => ({ ok: true, url: sockets.newConnectionUrl(wsBase) }),

    "auth.test": () => ({
      ok: true,
      url: "https://fake-workspace.slack.com/",
      team: "Fake Workspace",
      user: "hybrid-client-bot",
      team_id: ids.teamId,
      user_id: ids.botUserId,
      bot_id: ids.botId,
      is_enterprise_install: false,
    }),

    "views.open": (args) => {
      const trigger = exchangeTrigger(args.trigger_id);
      const view = validView(args.view);
      checkExternalId(view);
      trigger.used = true;
      return { ok: true, view: openView(view) };
    },
    "views.push": (args) => {
      const trigger = exchangeTrigger(args.trigger_id);
      const view = validView(args.view);
      if (trigger.viewId === undefined) {
        throw new Refusal("invalid_arguments", [
          "[ERROR] trigger_id does not come from an interaction in an open view",
        ]);
      }
      checkExternalId(view);
      const rendered = pushView(trigger.viewId, view);
      trigger.used = true;
      return { ok: true, view: rendered };
    },
    "views.publish": (args) => {
      const user = existingUser(args.user_id);
      if (JSON.stringify(args.view ?? null).length > LIMITS.viewBytes) {
        throw new Refusal("view_too_large");
      }
      const problems = checkHomeView(args.view);
      if (problems.length > 0) throw new Refusal("invalid_arguments", problems);
      const view = {
        ...(args.view as Json),
        id: `V${randomBytes(5).toString("hex").toUpperCase()}`,
      };
      homes.set(user.id, view);
      return { ok: true, view };
    },
    "views.update": (args) => {
      if (args.view_id === undefined && args.external_id === undefined) {
        throw new Refusal("invalid_arguments", ["[ERROR] view_id or external_id is required"]);
      }
      const stored = [...views.values()].find((v) =>
        args.view_id !== undefined
          ? v.id === args.view_id
          : args.external_id !== undefined && v.rendered.external_id === args.external_id,
      );
      // A view the user closed (or a submission closed) can no longer be updated.
      if (stored === undefined || !stored.open) throw new Refusal("not_found");
      if (args.hash !== undefined && args.hash !== stored.rendered.hash) {
        throw new Refusal("hash_conflict");
      }
      const view = validView(args.view);
      checkExternalId(view, stored.id);
      return { ok: true, view: replaceView(stored, view) };
    },

    "chat.postMessage": (args) => {
      needScope("chat:write");
      const refusal = checkMessage(args, true);
      if (refusal) throw refusal;
      const c = postTarget(args.channel);
      const m: StoredMessage = {
        ts: nextTs(),
        ...(typeof args.text === "string" ? { text: args.text } : {}),
        ...(Array.isArray(args.blocks) ? { blocks: withGeneratedIds(args.blocks) } : {}),
        ...(typeof args.thread_ts === "string" ? { threadTs: args.thread_ts } : {}),
      };
      c.messages.set(m.ts, m);
      return { ok: true, channel: c.id, ts: m.ts, message: renderMessage(m) };
    },
    "chat.update": (args) => {
      needScope("chat:write");
      const refusal = checkMessage(args, false);
      if (refusal) throw refusal;
      const [c, m] = messageAt(args.channel, args.ts);
      // Like Slack, leaving blocks out keeps the old ones; text is replaced when given.
      if (typeof args.text === "string") m.text = args.text;
      if (Array.isArray(args.blocks)) m.blocks = withGeneratedIds(args.blocks);
      return { ok: true, channel: c.id, ts: m.ts, text: m.text ?? "", message: renderMessage(m) };
    },
    "chat.postEphemeral": (args) => {
      needScope("chat:write");
      const refusal = checkMessage(args, true);
      if (refusal) throw refusal;
      existingUser(args.user);
      postTarget(args.channel);
      // Ephemeral messages are not stored: they vanish on reload and chat.update cannot reach them.
      return { ok: true, message_ts: nextTs() };
    },
    "chat.delete": (args) => {
      needScope("chat:write");
      const [c, m] = messageAt(args.channel, args.ts);
      c.messages.delete(m.ts);
      return { ok: true, channel: c.id, ts: m.ts };
    },

    "conversations.open": (args) => {
      needScope("im:write");
      const list = typeof args.users === "string" ? args.users.split(",").filter(Boolean) : [];
      if (list.length !== 1) {
        throw new Refusal("invalid_arguments", [
          "[ERROR] the fake opens DMs with exactly one user",
        ]);
      }
      const user = existingUser(list[0]);
      return { ok: true, channel: { id: dmWith(user.id).id } };
    },
    "conversations.info": (args) => {
      const c = typeof args.channel === "string" ? conversations.get(args.channel) : undefined;
      if (c === undefined) throw new Refusal("channel_not_found");
      needScope(c.user !== undefined ? "im:read" : c.isPrivate ? "groups:read" : "channels:read");
      if (c.isPrivate && !c.member) throw new Refusal("channel_not_found");
      return {
        ok: true,
        channel: {
          id: c.id,
          is_channel: !c.isPrivate,
          is_group: c.isPrivate && c.user === undefined,
          is_im: c.user !== undefined,
          is_private: c.isPrivate,
          is_archived: c.archived,
          is_member: c.member,
          ...(c.user !== undefined ? { user: c.user } : {}),
        },
      };
    },

    "users.info": (args) => {
      needScope("users:read");
      const u = existingUser(args.user);
      const name = u.name ?? u.id.toLowerCase();
      return {
        ok: true,
        user: {
          id: u.id,
          team_id: ids.teamId,
          name,
          real_name: name,
          deleted: u.deleted ?? false,
          is_bot: u.isBot ?? false,
          profile: {
            real_name: name,
            display_name: name,
            // Slack leaves the email out unless the token holds users:read.email.
            ...(u.email !== undefined && scopes.has("users:read.email") ? { email: u.email } : {}),
          },
        },
      };
    },
    "usergroups.users.list": (args) => {
      needScope("usergroups:read");
      const members =
        typeof args.usergroup === "string" ? userGroups.get(args.usergroup) : undefined;
      if (members === undefined) throw new Refusal("no_such_subteam");
      return { ok: true, users: [...members] };
    },
  };

  // --- HTTP ----------------------------------------------------------------------------------

  const parseRequest = async (req: IncomingMessage, url: URL): Promise<Json> => {
    const text = await readBody(req);
    const raw: Json = Object.fromEntries(url.searchParams);
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (text === "") return raw;
    if (type === "application/x-www-form-urlencoded") {
      return { ...raw, ...Object.fromEntries(new URLSearchParams(text)) };
    }
    if (type === "application/json") {
      try {
        const parsed: unknown = JSON.parse(text);
        if (isObject(parsed)) return { ...raw, ...parsed };
      } catch {
        // answered below
      }
      throw new Refusal("invalid_json");
    }
    throw new Refusal(type === "" ? "missing_post_type" : "invalid_post_type");
  };

  const answerApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = decodeURIComponent(url.pathname.slice("/api/".length));
    let args: Json = {};
    let status = 200;
    let headers: Record<string, string> = { "x-oauth-scopes": [...scopes].join(",") };
    let body: Json;
    try {
      const raw = await parseRequest(req, url);
      const { token, ...rest } = raw;
      args = decodeArgs(rest);
      const handler = methods[method];
      if (handler === undefined) throw new Refusal("unknown_method");
      const auth = req.headers.authorization;
      const presented = auth?.startsWith("Bearer ") ? auth.slice(7) : token;
      if (presented === undefined || presented === "") throw new Refusal("not_authed");
      // apps.connections.open takes the app-level token and nothing else does.
      const wanted = APP_TOKEN_METHODS.has(method) ? appToken : botToken;
      if (presented !== wanted) {
        throw new Refusal(
          presented === botToken || presented === appToken
            ? "not_allowed_token_type"
            : "invalid_auth",
        );
      }
      if (wanted === appToken) headers = { "x-oauth-scopes": "connections:write" };
      const queued = faults.get(method)?.[0];
      if (queued !== undefined) {
        queued.remaining -= 1;
        if (queued.remaining <= 0) faults.get(method)?.shift();
      }
      const fault: FakeFault | undefined =
        queued?.fault ??
        (Math.random() < random429 ? { ratelimited: { retryAfter: 1 } } : undefined);
      if (fault !== undefined && "ratelimited" in fault) {
        status = 429;
        headers = { ...headers, "retry-after": String(fault.ratelimited.retryAfter) };
        throw new Refusal("ratelimited");
      }
      if (fault !== undefined) throw new Refusal(fault.error);
      body = handler(args);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      body = e.toBody();
    }
    calls.push({ method, args, at: now(), response: body, status });
    send(res, status, body, headers);
    notify(callWaiters, calls.at(-1)!);
  };

  const answerResponseUrl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const text = await readBody(req);
    let body: Json = {};
    let status = 200;
    let answer = "ok";
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed)) body = decodeArgs(parsed);
    } catch {
      status = 400;
      answer = "invalid_payload";
    }
    const hook = hooks.get(url.pathname.slice("/response/".length));
    if (status !== 200) {
      // answered below
    } else if (hook === undefined) {
      [status, answer] = [404, "no_service"];
    } else if (now() > hook.expiresAt) {
      [status, answer] = [404, "expired_url"];
    } else if (hook.uses >= LIMITS.responseUrlUses) {
      [status, answer] = [404, "used_url"];
    } else {
      const refusal = checkMessage(body, body.delete_original !== true);
      if (refusal !== undefined) {
        [status, answer] = [400, refusal.error];
      } else {
        hook.uses += 1;
        const target =
          hook.origin && conversations.get(hook.origin.channel)?.messages.get(hook.origin.ts);
        if (target && body.delete_original === true) {
          conversations.get(hook.origin!.channel)?.messages.delete(target.ts);
        } else if (target && body.replace_original === true) {
          target.text = typeof body.text === "string" ? body.text : "";
          target.blocks = Array.isArray(body.blocks) ? withGeneratedIds(body.blocks) : [];
        }
      }
    }
    responses.push({ url: url.href, body, at: now(), status });
    if (status === 200) send(res, 200, { ok: true });
    else send(res, status, answer);
    notify(responseWaiters, responses.at(-1)!);
  };

  const answerSocketBridge = async (req: IncomingMessage, res: ServerResponse) => {
    const form = new URLSearchParams(await readBody(req));
    const interactive = form.get("payload");
    const [type, payload]: [SocketEnvelopeType, Json] =
      interactive === null
        ? ["slash_commands", Object.fromEntries(form)]
        : ["interactive", JSON.parse(interactive) as Json];
    try {
      const ack = await sockets.send(type, payload);
      const body = ack.payload ?? {};
      if (Object.keys(body).length === 0) send(res, 200, "");
      else send(res, 200, body);
    } catch (e) {
      send(res, 504, e instanceof Error ? e.message : String(e));
    }
  };

  let down = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    if (down && url.pathname.startsWith("/api/")) {
      req.socket.destroy();
      return;
    }
    const route = url.pathname.startsWith("/api/")
      ? answerApi(req, res, url)
      : url.pathname.startsWith("/response/") && req.method === "POST"
        ? answerResponseUrl(req, res, url)
        : url.pathname === "/socket-bridge" && req.method === "POST"
          ? answerSocketBridge(req, res)
          : Promise.resolve(send(res, 404, "not_found"));
    route.catch((e: unknown) => {
      // A bug in the fake itself: answer 500 so the test fails loudly instead of hanging.
      if (!res.headersSent) send(res, 500, String(e instanceof Error ? e.stack : e));
    });
  });
  server.on("upgrade", (req, socket, head) => sockets.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  wsBase = base.replace(/^http/, "ws");

  for (const r of options.rateLimit ?? []) {
    faults.set(r.method, [
      ...(faults.get(r.method) ?? []),
      { fault: { ratelimited: { retryAfter: r.retryAfter } }, remaining: r.times ?? 1 },
    ]);
  }

  return {
    url: `${base}/api/`,
    botToken,
    appToken,
    ...ids,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall: (method, predicate = () => true, timeoutMs = 5000) =>
      waitFor(
        calls,
        callWaiters,
        (c) => c.method === method && predicate(c),
        timeoutMs,
        () =>
          `A matching ${method} call (calls so far: ${calls.map((c) => c.method).join(", ") || "none"})`,
      ),
    waitForResponse: (predicate = () => true, timeoutMs = 5000) =>
      waitFor(
        responses,
        responseWaiters,
        predicate,
        timeoutMs,
        () => `A matching response_url post (${responses.length} so far)`,
      ),
    mintTriggerId(fromViewId) {
      const id = `${randomInt(1e11, 1e12)}.${randomInt(1e10, 1e11)}.${randomBytes(16).toString("hex")}`;
      triggers.set(id, {
        expiresAt: now() + LIMITS.triggerTtlMs,
        used: false,
        ...(fromViewId !== undefined ? { viewId: fromViewId } : {}),
      });
      return id;
    },
    mintResponseUrl(origin) {
      const id = `${ids.teamId}/${randomInt(1e11, 1e12)}/${randomBytes(12).toString("base64url")}`;
      hooks.set(id, {
        uses: 0,
        expiresAt: now() + LIMITS.responseUrlTtlMs,
        ...(origin !== undefined ? { origin } : {}),
      });
      return `${base}/response/${id}`;
    },
    home(userId) {
      return homes.get(userId);
    },
    addUser(u) {
      users.set(u.id, { ...u });
    },
    addUserGroup(id, userIds) {
      userGroups.set(id, [...userIds]);
    },
    addChannel(id, opts = {}) {
      conversations.set(id, {
        id,
        member: opts.member ?? true,
        archived: opts.archived ?? false,
        isPrivate: opts.isPrivate ?? id.startsWith("G"),
        messages: conversations.get(id)?.messages ?? new Map(),
      });
    },
    failNext(method, fault, times = 1) {
      faults.set(method, [...(faults.get(method) ?? []), { fault, remaining: times }]);
    },
    setRandom429(rate) {
      random429 = rate;
    },
    messages(channel) {
      const id = /^[UW]/.test(channel) ? dmByUser.get(channel) : channel;
      const c = id !== undefined ? conversations.get(id) : undefined;
      return [...(c?.messages.values() ?? [])]
        .sort((a, b) => Number(a.ts) - Number(b.ts))
        .map((m) => ({
          ts: m.ts,
          ...(m.text !== undefined ? { text: m.text } : {}),
          ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
        }));
    },
    view(viewId) {
      const v = views.get(viewId);
      return v && { view: v.rendered, open: v.open };
    },
    user: (id) => users.get(id),
    dmOf: (userId) => dmByUser.get(userId),
    applyViewSubmissionAck(viewId, ack) {
      const stored = views.get(viewId);
      if (stored === undefined || !stored.open) {
        return { ok: false, error: "not_found", messages: [`view ${viewId} is not open`] };
      }
      const action = isObject(ack) ? ack.response_action : undefined;
      try {
        if (action === undefined) {
          stored.open = false; // an empty 200 closes this view (a pushed one returns to the one below)
        } else if (action === "clear") {
          for (const v of stackOf(stored.rootId)) v.open = false;
        } else if (action === "update" && isObject(ack)) {
          replaceView(stored, validView(ack.view));
        } else if (action === "push" && isObject(ack)) {
          pushView(viewId, validView(ack.view));
        } else if (action === "errors" && isObject(ack)) {
          const inputIds = new Set(
            (stored.rendered.blocks as Json[])
              .filter((b) => b.type === "input")
              .map((b) => b.block_id),
          );
          const errors = isObject(ack.errors) ? Object.entries(ack.errors) : [];
          const p = new Problems();
          if (errors.length === 0) p.add("/errors", "must name at least one input block");
          for (const [blockId, message] of errors) {
            if (!inputIds.has(blockId))
              p.add(`/errors/${blockId}`, "is not the block_id of an input block in the view");
            checkString(p, message, `/errors/${blockId}`, LIMITS.sectionText, {
              required: true,
              min: 1,
            });
          }
          if (p.list.length > 0) throw new Refusal("invalid_arguments", p.list);
        } else {
          throw new Refusal("invalid_arguments", [
            `[ERROR] unknown response_action: ${String(action)}`,
          ]);
        }
        return { ok: true };
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        return { ok: false, error: e.error, messages: e.messages };
      }
    },
    socketSend: (type, payload, timeoutMs = SOCKET_ACK_TIMEOUT_MS) =>
      sockets.send(type, payload, timeoutMs),
    socketEnvelopes: sockets.envelopes,
    socketAcks: sockets.acks,
    socketConnections: () => sockets.connections,
    waitForSocketConnection: (nth, timeoutMs) => sockets.whenConnected(nth, timeoutMs),
    waitForSocketsClosed: (timeoutMs) => sockets.whenNoConnections(timeoutMs),
    socketDisconnect(reason = "refresh_requested") {
      sockets.disconnect(reason);
    },
    socketBridgeUrl: `${base}/socket-bridge`,
    setDown(value) {
      down = value;
    },
    async close() {
      sockets.close();
      for (const waiters of [callWaiters, responseWaiters] as Set<Waiter<unknown>>[]) {
        for (const w of waiters) {
          clearTimeout(w.timer);
          w.reject(new Error("fake Slack closed"));
        }
        waiters.clear();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((e) => (e ? reject(e) : resolve())),
      );
    },
  };
}
