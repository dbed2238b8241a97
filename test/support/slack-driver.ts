// Slack's side of HTTP mode: slash commands, button clicks and view submissions sent to the bot
// the way Slack sends them (form-encoded, signed, with trigger_id and response_url minted on the
// fake Web API so the bot can use them there).
import { createHmac } from "node:crypto";
import type { FakeSlack } from "../fakes/slack.js";

/** "v0=" + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs every request. */
export function signSlackRequest(
  signingSecret: string,
  timestamp: number,
  rawBody: string,
): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

export interface SlackDriverOptions {
  /** e.g. http://127.0.0.1:3000/slack/events */
  botUrl: string;
  signingSecret: string;
  slack: FakeSlack;
  teamId?: string;
  /** The clicking user's own team when it differs (a Slack Connect guest from another organisation). */
  userTeamId?: string;
  appId?: string;
  now?: () => number;
}

export interface DriverResult {
  status: number;
  /** Parsed JSON when the body is JSON, else the text ("" for an empty ack). */
  body: unknown;
  /** How long the bot took to answer. */
  ms: number;
}

/** Where commands are typed when a test does not say. Tests add it to the fake when the bot posts there. */
export const DEFAULT_COMMAND_CHANNEL = "C0GENERAL1";
const SLASH_COMMAND = "/hybrid-client";
// Slack still sends the legacy verification token; Bolt ignores it in favour of the signature.
const VERIFICATION_TOKEN = "fakeVerificationToken0";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every interactive element of a block, with where it sits. */
function elementsOf(block: Json): Json[] {
  const found = [
    block.accessory,
    block.element,
    ...(Array.isArray(block.elements) ? block.elements : []),
  ];
  return found.filter(isObject);
}

function findAction(
  blocks: unknown,
  actionId: string,
  value?: string,
): { block: Json; element: Json } | undefined {
  for (const block of Array.isArray(blocks) ? blocks.filter(isObject) : []) {
    const element = elementsOf(block).find(
      (e) => e.action_id === actionId && (value === undefined || e.value === value),
    );
    if (element) return { block, element };
  }
  return undefined;
}

/** The value object Slack puts in view.state.values for an input element, from a test's shorthand. */
function stateValue(element: Json | undefined, given: unknown): unknown {
  if (isObject(given) && typeof given.type === "string") return given;
  const type = typeof element?.type === "string" ? element.type : "plain_text_input";
  const options = Array.isArray(element?.options) ? element.options.filter(isObject) : [];
  const option = (value: unknown) => options.find((o) => o.value === value) ?? { value };
  const empty = given === undefined;
  switch (type) {
    case "checkboxes":
    case "multi_static_select":
      return { type, selected_options: empty ? [] : [given].flat().map(option) };
    case "radio_buttons":
    case "static_select":
      return { type, selected_option: empty ? null : option(given) };
    case "datepicker":
      return { type, selected_date: empty ? null : given };
    case "timepicker":
      return { type, selected_time: empty ? null : given };
    case "datetimepicker":
      return { type, selected_date_time: empty ? null : given };
    case "conversations_select":
      return { type, selected_conversation: empty ? null : given };
    case "channels_select":
      return { type, selected_channel: empty ? null : given };
    case "users_select":
      return { type, selected_user: empty ? null : given };
    case "multi_users_select":
      return { type, selected_users: empty ? [] : [given].flat() };
    case "multi_conversations_select":
      return { type, selected_conversations: empty ? [] : [given].flat() };
    default:
      return { type, value: empty ? null : given };
  }
}

export class SlackDriver {
  private readonly botUrl: string;
  private readonly signingSecret: string;
  private readonly slack: FakeSlack;
  private readonly teamId: string;
  private readonly userTeamId: string;
  private readonly appId: string;
  private readonly now: () => number;

  constructor(options: SlackDriverOptions) {
    this.botUrl = options.botUrl;
    this.signingSecret = options.signingSecret;
    this.slack = options.slack;
    this.teamId = options.teamId ?? options.slack.teamId;
    this.userTeamId = options.userTeamId ?? this.teamId;
    this.appId = options.appId ?? options.slack.appId;
    this.now = options.now ?? Date.now;
  }

  /** Slash command as Slack sends it (form-encoded). Mints trigger_id and response_url on the fake. */
  async command(
    user: string,
    text: string,
    opts: { channel?: string; command?: string } = {},
  ): Promise<DriverResult & { triggerId: string; responseUrl: string }> {
    const channel = opts.channel ?? DEFAULT_COMMAND_CHANNEL;
    const triggerId = this.slack.mintTriggerId();
    const responseUrl = this.slack.mintResponseUrl();
    const body = new URLSearchParams({
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      team_domain: "fake-workspace",
      channel_id: channel,
      channel_name: this.channelName(channel),
      user_id: user,
      user_name: this.userName(user),
      command: opts.command ?? SLASH_COMMAND,
      text,
      api_app_id: this.appId,
      is_enterprise_install: "false",
      response_url: responseUrl,
      trigger_id: triggerId,
    }).toString();
    return { ...(await this.raw(body)), triggerId, responseUrl };
  }

  /**
   * block_actions for a button click on a message (channel + messageTs) or in a view (viewId).
   * block_id and value come from the button as the fake stored it unless given; clicking a button
   * that is not there throws, unless blockId is given (a stale client still showing old buttons).
   */
  async clickButton(
    user: string,
    action: { actionId: string; value?: string; blockId?: string },
    where: { channel?: string; messageTs?: string; viewId?: string },
  ): Promise<DriverResult & { responseUrl: string; triggerId: string }> {
    const actionTs = (this.now() / 1000).toFixed(6);
    let surface: Json;
    let blocks: unknown;
    let responseUrl = "";
    let triggerId: string;
    if (where.viewId !== undefined) {
      const stored = this.slack.view(where.viewId);
      if (stored === undefined) throw new Error(`The fake never opened view ${where.viewId}`);
      blocks = stored.view.blocks;
      triggerId = this.slack.mintTriggerId(where.viewId);
      // Clicks inside a modal carry the view and no response_url.
      surface = {
        container: { type: "view", view_id: where.viewId },
        view: stored.view,
      };
    } else {
      const { channel, messageTs } = where;
      if (channel === undefined || messageTs === undefined) {
        throw new Error("clickButton needs { channel, messageTs } or { viewId }");
      }
      const message = this.slack.messages(channel).find((m) => m.ts === messageTs);
      if (message === undefined)
        throw new Error(`No message ${messageTs} in ${channel} on the fake`);
      const conversation = /^[UW]/.test(channel) ? this.slack.dmOf(channel) : channel;
      if (conversation === undefined) throw new Error(`The bot has no DM with ${channel}`);
      blocks = message.blocks;
      triggerId = this.slack.mintTriggerId();
      responseUrl = this.slack.mintResponseUrl({ channel: conversation, ts: messageTs });
      surface = {
        container: {
          type: "message",
          message_ts: messageTs,
          channel_id: conversation,
          is_ephemeral: false,
        },
        channel: { id: conversation, name: this.channelName(conversation) },
        message: {
          type: "message",
          user: this.slack.botUserId,
          bot_id: this.slack.botId,
          app_id: this.slack.appId,
          team: this.teamId,
          ts: message.ts,
          text: message.text ?? "",
          ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
        },
        response_url: responseUrl,
      };
    }
    const found = findAction(blocks, action.actionId);
    if (found === undefined && action.blockId === undefined) {
      throw new Error(`No element with action_id "${action.actionId}" to click there`);
    }
    const button = found?.element;
    const payload = {
      type: "block_actions",
      user: this.userOf(user),
      api_app_id: this.appId,
      token: VERIFICATION_TOKEN,
      trigger_id: triggerId,
      team: { id: this.teamId, domain: "fake-workspace" },
      enterprise: null,
      is_enterprise_install: false,
      ...surface,
      state: { values: {} },
      actions: [
        {
          type: "button",
          action_id: action.actionId,
          block_id: action.blockId ?? found?.block.block_id,
          text: button?.text ?? { type: "plain_text", text: action.actionId },
          ...(action.value !== undefined || button?.value !== undefined
            ? { value: action.value ?? button?.value }
            : {}),
          ...(button?.style !== undefined ? { style: button.style } : {}),
          action_ts: actionTs,
        },
      ],
    };
    return { ...(await this.interaction(payload)), responseUrl, triggerId };
  }

  /**
   * view_submission. `values` is {blockId: {actionId: value}}: a full value object
   * ({type:"plain_text_input", value:"x"}) or a shorthand (a string, or strings for checkboxes)
   * typed after the element in the view. Input blocks left out arrive empty, as Slack sends them.
   * callback_id, private_metadata and hash come from the view the fake last saw, unless given;
   * afterwards the fake applies the bot's ack (close, update, push, errors) and `viewError`
   * says when Slack would have refused it.
   */
  async submitView(
    user: string,
    view: { id?: string; callbackId: string; privateMetadata?: string; hash?: string },
    values: Record<string, Record<string, unknown>>,
  ): Promise<DriverResult & { viewError?: string }> {
    const stored = view.id !== undefined ? this.slack.view(view.id)?.view : undefined;
    if (stored !== undefined && stored.callback_id !== view.callbackId) {
      throw new Error(
        `View ${view.id} has callback_id "${String(stored.callback_id)}", not "${view.callbackId}"`,
      );
    }
    const inputs = (Array.isArray(stored?.blocks) ? stored.blocks : [])
      .filter(isObject)
      .filter((b) => b.type === "input" && isObject(b.element));
    for (const [blockId, byAction] of Object.entries(values)) {
      const block = inputs.find((b) => b.block_id === blockId);
      const element = block?.element as Json | undefined;
      if (
        stored !== undefined &&
        (block === undefined || !(String(element?.action_id) in byAction))
      ) {
        throw new Error(
          `View ${view.id} has no input ${blockId}/${Object.keys(byAction).join(",")}`,
        );
      }
    }
    const state: Record<string, Record<string, unknown>> = {};
    for (const block of inputs) {
      const element = block.element as Json;
      const actionId = String(element.action_id);
      state[String(block.block_id)] = {
        [actionId]: stateValue(element, values[String(block.block_id)]?.[actionId]),
      };
    }
    for (const [blockId, byAction] of Object.entries(values)) {
      if (state[blockId] !== undefined) continue;
      state[blockId] = Object.fromEntries(
        Object.entries(byAction).map(([actionId, v]) => [actionId, stateValue(undefined, v)]),
      );
    }
    const viewId = view.id ?? stored?.id;
    const payload = {
      type: "view_submission",
      team: { id: this.teamId, domain: "fake-workspace" },
      user: this.userOf(user),
      api_app_id: this.appId,
      token: VERIFICATION_TOKEN,
      trigger_id: this.slack.mintTriggerId(typeof viewId === "string" ? viewId : undefined),
      view: {
        ...(stored ?? {
          id: viewId ?? "V0UNKNOWN00",
          team_id: this.teamId,
          type: "modal",
          app_id: this.appId,
          blocks: [],
        }),
        callback_id: view.callbackId,
        private_metadata: view.privateMetadata ?? stored?.private_metadata ?? "",
        hash: view.hash ?? stored?.hash ?? "",
        state: { values: state },
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const result = await this.interaction(payload);
    if (stored === undefined || view.id === undefined || result.status !== 200) return result;
    const applied = this.slack.applyViewSubmissionAck(
      view.id,
      result.body === "" ? undefined : result.body,
    );
    return applied.ok
      ? result
      : { ...result, viewError: [applied.error, ...applied.messages].join(" ") };
  }

  /**
   * Picks `value` in an overflow menu of an ephemeral message (what `/hybrid-client list`
   * answers): such clicks carry the container and a response_url, and no message.
   */
  async chooseOverflow(
    user: string,
    action: { actionId: string; value: string; blockId?: string },
    where: { channel: string },
  ): Promise<DriverResult & { responseUrl: string; triggerId: string }> {
    const triggerId = this.slack.mintTriggerId();
    const responseUrl = this.slack.mintResponseUrl();
    const payload = {
      type: "block_actions",
      user: this.userOf(user),
      api_app_id: this.appId,
      token: VERIFICATION_TOKEN,
      trigger_id: triggerId,
      team: { id: this.teamId, domain: "fake-workspace" },
      enterprise: null,
      is_enterprise_install: false,
      container: {
        type: "message",
        message_ts: (this.now() / 1000).toFixed(6),
        channel_id: where.channel,
        is_ephemeral: true,
      },
      channel: { id: where.channel, name: this.channelName(where.channel) },
      response_url: responseUrl,
      state: { values: {} },
      actions: [
        {
          type: "overflow",
          action_id: action.actionId,
          block_id: action.blockId ?? "client_0",
          selected_option: {
            text: { type: "plain_text", text: action.value },
            value: action.value,
          },
          action_ts: (this.now() / 1000).toFixed(6),
        },
      ],
    };
    return { ...(await this.interaction(payload)), responseUrl, triggerId };
  }
  /** The Events API's app_home_opened, as Slack posts it (JSON, signed). */
  async homeOpened(user: string, tab: "home" | "messages" = "home"): Promise<DriverResult> {
    const eventTs = (this.now() / 1000).toFixed(6);
    const body = {
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      api_app_id: this.appId,
      event: {
        type: "app_home_opened",
        user,
        channel: `D${user.slice(1)}`,
        tab,
        event_ts: eventTs,
      },
      type: "event_callback",
      event_id: `Ev${Math.floor(Math.random() * 1e12)}`,
      event_time: Math.floor(this.now() / 1000),
      authorizations: [
        {
          team_id: this.teamId,
          user_id: this.slack.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
    return this.raw(JSON.stringify(body), { contentType: "application/json" });
  }

  /** A global shortcut: no response_url, a fresh trigger_id. */
  async shortcut(user: string, callbackId: string): Promise<DriverResult & { triggerId: string }> {
    const triggerId = this.slack.mintTriggerId();
    const payload = {
      type: "shortcut",
      token: VERIFICATION_TOKEN,
      action_ts: (this.now() / 1000).toFixed(6),
      team: { id: this.teamId, domain: "fake-workspace" },
      user: { id: user, username: this.userName(user), team_id: this.userTeamId },
      api_app_id: this.appId,
      is_enterprise_install: false,
      enterprise: null,
      callback_id: callbackId,
      trigger_id: triggerId,
    };
    return { ...(await this.interaction(payload)), triggerId };
  }

  /** A button click on the user's Home tab as the bot last published it (no response_url). */
  async clickHomeButton(
    user: string,
    action: { actionId: string; value: string },
  ): Promise<DriverResult & { triggerId: string }> {
    const home = this.slack.home(user);
    if (home === undefined) throw new Error(`The bot never published a Home for ${user}`);
    const found = findAction(home.blocks, action.actionId, action.value);
    if (found === undefined) {
      throw new Error(`No ${action.actionId} button with value ${action.value} on ${user}'s Home`);
    }
    const triggerId = this.slack.mintTriggerId();
    const payload = {
      type: "block_actions",
      user: this.userOf(user),
      api_app_id: this.appId,
      token: VERIFICATION_TOKEN,
      trigger_id: triggerId,
      team: { id: this.teamId, domain: "fake-workspace" },
      enterprise: null,
      is_enterprise_install: false,
      container: { type: "view", view_id: home.id },
      view: { ...home, type: "home" },
      state: { values: {} },
      actions: [
        {
          type: "button",
          action_id: action.actionId,
          block_id: found.block.block_id,
          text: found.element.text,
          value: action.value,
          action_ts: (this.now() / 1000).toFixed(6),
        },
      ],
    };
    return { ...(await this.interaction(payload)), triggerId };
  }

  /** Sends `body` exactly; signs it unless `signature` is given (null leaves the header out). */
  async raw(
    body: string,
    opts: { contentType?: string; timestamp?: number; signature?: string | null } = {},
  ): Promise<DriverResult> {
    const timestamp = opts.timestamp ?? Math.floor(this.now() / 1000);
    const signature =
      opts.signature === undefined
        ? signSlackRequest(this.signingSecret, timestamp, body)
        : opts.signature;
    const headers: Record<string, string> = {
      "content-type": opts.contentType ?? "application/x-www-form-urlencoded",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": String(timestamp),
    };
    if (signature !== null) headers["x-slack-signature"] = signature;
    const started = performance.now();
    const response = await fetch(this.botUrl, { method: "POST", headers, body });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = text === "" ? "" : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, ms };
  }

  private interaction(payload: Json): Promise<DriverResult> {
    return this.raw(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  private userOf(user: string): Json {
    const name = this.userName(user);
    return { id: user, username: name, name, team_id: this.userTeamId };
  }

  private userName(user: string): string {
    return this.slack.user(user)?.name ?? user.toLowerCase();
  }

  private channelName(channel: string): string {
    return channel.startsWith("D") ? "directmessage" : channel.toLowerCase();
  }
}
