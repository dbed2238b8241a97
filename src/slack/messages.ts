// Messages built from the request model: the approvals-channel message, what the
// requester is told, the DMs around the one-time secret reveal, and the command replies.
// Every string a user typed is escaped (and cut to its limit) before it reaches mrkdwn;
// button values carry only ids. Nothing here logs, and only buildSecretReveal sees a secret.
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  RichTextBlock,
  SectionBlock,
} from "@slack/types";
import { type HybridClientRequest, OPEN_STATUSES, type RequestStatus } from "../requests/model.js";
import { APPROVE, CANCEL, DENY, RETRY, REVEAL } from "./ids.js";
import { LIMITS, truncate } from "./limits.js";
import { channelLink, code, escapeMrkdwn, mention, slackDate, truncateMrkdwn } from "./mrkdwn.js";

/** Body of chat.postMessage / chat.update (plus channel, ts). */
export interface SlackMessage {
  /** Fallback for notifications and screen readers; mrkdwn, escaped like the blocks. */
  text: string;
  blocks: KnownBlock[];
}

/** Body posted to a click's response_url: shown only to the clicker, never stored by Slack. */
export interface EphemeralResponse extends SlackMessage {
  response_type: "ephemeral";
  replace_original: false;
}

const COMMAND = "/hybrid-client";
/** Longest client name shown; validation allows 200, stored data gets the benefit of the doubt. */
const NAME_MAX = 300;

// ---------------------------------------------------------------------------------------
// Approvals channel

export function buildApprovalMessage(
  request: HybridClientRequest,
  opts: { approvalsRequired: number },
): SlackMessage {
  const r = request;
  const title = r.kind === "new-secret" ? "New secret request" : "Hybrid client request";
  const asks =
    r.kind === "new-secret"
      ? `${mention(r.requesterId)} asks for a new secret for client ${clientName(r)} (${code(r.clientId, 120)}).`
      : `${mention(r.requesterId)} asks for a new hybrid client ${clientName(r)}.`;
  const body: KnownBlock[] = [
    header(title, "head"),
    section(asks, "asks"),
    section(
      r.reason.trim() === ""
        ? "*Reason*\n_No reason given_"
        : `*Reason*\n${escapeMrkdwn(r.reason)}`,
      "reason",
    ),
    ...requestDetails(r, "details"),
    context(approvalProgress(r, opts.approvalsRequired, r.status === "pending"), "progress"),
  ];
  // Pending shows the buttons; every later state replaces them with what happened.
  const footer: KnownBlock[] =
    r.status === "pending"
      ? [actions([approveButton(r), denyButton(r)], "actions")]
      : [section(statusLine(r), "status")];
  if (r.status === "failed") footer.push(actions([retryButton(r)], "actions"));

  const text = `${title}: ${clientName(r)} from ${mention(r.requesterId)} — ${statusWord(r)}`;
  return finish(text, body, footer, version(r));
}

function approveButton(r: HybridClientRequest): Button {
  const what =
    r.kind === "new-secret"
      ? `Approve a new secret for client ${clientName(r, CONFIRM_NAME_MAX)}?`
      : `Approve creating hybrid client ${clientName(r, CONFIRM_NAME_MAX)} in AVEVA Data Hub?`;
  return {
    type: "button",
    action_id: APPROVE,
    text: plain("Approve"),
    style: "primary",
    value: r.id,
    confirm: {
      title: plain("Approve this request?"),
      text: mrkdwn(truncateMrkdwn(what, LIMITS.confirmText)),
      confirm: plain("Approve"),
      deny: plain("Back"),
    },
  };
}

const denyButton = (r: HybridClientRequest): Button => ({
  type: "button",
  action_id: DENY,
  text: plain("Deny"),
  style: "danger",
  value: r.id,
});

const retryButton = (r: HybridClientRequest): Button => ({
  type: "button",
  action_id: RETRY,
  text: plain("Retry"),
  style: "primary",
  value: r.id,
});

/** The line under the request that says where it stands. */
function statusLine(r: HybridClientRequest): string {
  const by = approvers(r);
  const secretOnly = r.kind === "new-secret";
  switch (r.status) {
    case "pending":
      return "Waiting for approval";
    case "creating":
      return secretOnly
        ? `⏳ Approved by ${by} — preparing the new secret…`
        : `⏳ Approved by ${by} — creating the client in ADH…`;
    case "created":
      return secretOnly
        ? `✅ Approved by ${by}; the requester can now reveal the new secret`
        : `✅ Approved by ${by}; client created`;
    case "failed":
      return `⚠️ Approved by ${by}, but ${failure(r)}\nNothing is lost: press *Retry* when ADH is back.`;
    case "denied":
      return denial(r);
    case "cancelled":
      return "Cancelled by the requester";
    case "expired":
      return `⌛ Expired: nobody decided within ${ttlHours(r)}`;
  }
}

// ---------------------------------------------------------------------------------------
// The requester

/** Sent when the request is posted: where it went, and a way to take it back. */
export function buildRequesterReceipt(
  request: HybridClientRequest,
  approvalMessageLink?: string,
): SlackMessage {
  const r = request;
  const where = r.approvalMessage ? channelLink(r.approvalMessage.channel) : "the approvers";
  const link = safeLink(approvalMessageLink, "View it");
  const sent = `Your request for ${clientName(r)} was sent to ${where} for approval.${link ? ` ${link}` : ""}`;
  const body: KnownBlock[] = [
    section(sent, "sent"),
    context(
      `${kindWord(r)} · ${approvalProgress(r, r.approvalsRequired, false)} · expires unless decided by ${when(r.expiresAt)}`,
      "about",
    ),
  ];
  const footer: KnownBlock[] =
    r.status === "pending" ? [actions([cancelButton(r)], "actions")] : [];
  return finish(sent, body, footer, version(r));
}

/** What happened to the request, in the requester's words. */
export function buildRequesterUpdate(request: HybridClientRequest): SlackMessage {
  const r = request;
  const yours = `Your request for ${clientName(r)}`;
  const by = approvers(r);
  let text: string;
  switch (r.status) {
    case "pending":
      text = `${yours} is waiting for approval: ${approvalProgress(r, r.approvalsRequired, false)}.`;
      break;
    case "creating":
      text =
        r.kind === "new-secret"
          ? `✅ ${yours} was approved by ${by}. Preparing the new secret…`
          : `✅ ${yours} was approved by ${by}. Creating the client in ADH…`;
      break;
    case "created":
      text =
        r.kind === "new-secret"
          ? `✅ ${yours} was approved by ${by}. Check your DMs to reveal the new secret.`
          : `✅ ${yours} was approved by ${by} and the client was created. Check your DMs for the Client Id and to reveal the secret.`;
      break;
    case "failed":
      text = `⚠️ ${yours} was approved, but ${failure(r)}\nNothing is lost: the approvers can retry.`;
      break;
    case "denied": {
      const reason = r.denial?.reason.trim() ?? "";
      const who = r.denial ? mention(r.denial.userId) : "an approver";
      text = `❌ ${yours} was denied by ${who}${reason ? `: ${escapeMrkdwn(reason)}` : " (no reason given)."}`;
      break;
    }
    case "cancelled":
      text = `You cancelled ${yours.charAt(0).toLowerCase()}${yours.slice(1)}.`;
      break;
    case "expired":
      text = `⌛ ${yours} expired: nobody decided within ${ttlHours(r)}. To ask again, use ${code(againCommand(r))}.`;
      break;
  }
  return finish(text, [section(text, "update")], [], version(r));
}

/** The DM after approval: Client Id, settings and the one-time Reveal secret button. */
export function buildCreatedDm(request: HybridClientRequest): SlackMessage {
  const r = request;
  const done =
    r.kind === "new-secret"
      ? `New secret approved for client ${clientName(r)}.`
      : `Hybrid client ${clientName(r)} was created in AVEVA Data Hub.`;
  const body: KnownBlock[] = [
    header(r.kind === "new-secret" ? "New secret approved" : "Client created", "head"),
    section(done, "done"),
    ...requestDetails(r, "details"),
    section(
      "The secret can be revealed *once*, only to you. Press *Reveal secret* when you are ready to copy it somewhere safe.",
      "once",
    ),
  ];
  const reveal: Button = {
    type: "button",
    action_id: REVEAL,
    text: plain("Reveal secret"),
    style: "primary",
    value: r.id,
  };
  return finish(done, body, [actions([reveal], "actions")], `${r.reveal}:${version(r)}`);
}

/** The same DM once the secret was shown: no button, and how to get another one. */
export function buildRevealedDm(
  request: HybridClientRequest,
  revealedAtEpochSeconds: number,
): SlackMessage {
  const r = request;
  const revealed = `🔒 Secret revealed at ${when(revealedAtEpochSeconds)}. It cannot be shown again.`;
  const body: KnownBlock[] = [
    header(r.kind === "new-secret" ? "New secret approved" : "Client created", "head"),
    section(
      r.kind === "new-secret"
        ? `New secret for client ${clientName(r)}.`
        : `Hybrid client ${clientName(r)} was created in AVEVA Data Hub.`,
      "done",
    ),
    ...requestDetails(r, "details"),
    section(revealed, "revealed"),
    context(`Need another secret? Type ${code(`${COMMAND} secret ${r.clientId}`)}`, "again"),
  ];
  return finish(revealed, body, [], `revealed:${Math.floor(revealedAtEpochSeconds)}:${version(r)}`);
}

/**
 * The one message that holds a secret: the answer to the Reveal click, through its
 * response_url, so it is shown once to the clicker and stored nowhere. The secret goes in a
 * rich-text preformatted block (copied exactly, no escaping) and never into `text`.
 */
export function buildSecretReveal(args: {
  clientId: string;
  clientName: string;
  secret: string;
  expiration: string | null;
}): EphemeralResponse {
  const name = `*${escapeMrkdwn(args.clientName, NAME_MAX)}*`;
  const warning = "⚠️ Copy the client secret now. It cannot be shown again.";
  const blocks: KnownBlock[] = [
    header("Client secret"),
    section(`Hybrid client ${name}`),
    section("*Client Id*"),
    preformatted(args.clientId),
    section("*Client Secret*"),
    preformatted(args.secret),
    section(
      `${warning}\n${args.expiration === null ? "This secret never expires." : `It expires ${expiry(args.expiration)}.`}`,
    ),
  ];
  return {
    response_type: "ephemeral",
    replace_original: false,
    text: truncateMrkdwn(`Client secret for ${name}. ${warning}`, LIMITS.fallbackText),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------
// Command replies

/** `/hybrid-client status`: the caller's open requests. */
export function buildStatusList(requests: readonly HybridClientRequest[]): SlackMessage {
  const open = requests.filter((r) => OPEN_STATUSES.includes(r.status));
  if (open.length === 0) {
    const none = "You have no open requests.";
    return { text: none, blocks: [section(none)] };
  }
  const rows: KnownBlock[] = open.map((r, i) => {
    const row = section(
      `${clientName(r)} · ${kindWord(r)}\n${openStatus(r)} · asked ${when(r.createdAt)}`,
      `request:${i}`,
    );
    return r.status === "pending" ? { ...row, accessory: cancelButton(r) } : row;
  });
  const summary = `You have ${open.length} open request${open.length === 1 ? "" : "s"}.`;
  return finish(summary, [header("Your open requests"), ...rows], []);
}

/** Usage; with `unknown`, first says what was not understood. */
export function buildHelp(unknown?: string): SlackMessage {
  const usage = [
    `${code(`${COMMAND} add [name]`)} — request a new hybrid client (opens a form)`,
    `${code(`${COMMAND} secret <client-id>`)} — request a new secret for an existing client`,
    `${code(`${COMMAND} list`)} — hybrid clients and when their secrets expire`,
    `${code(`${COMMAND} status`)} — your open requests`,
    `${code(`${COMMAND} help`)} — this help`,
  ].join("\n");
  const blocks: KnownBlock[] = [];
  let text = `Usage: ${code(`${COMMAND} add [name] | secret <client-id> | list | status | help`)}`;
  if (unknown !== undefined) {
    const what = code(unknown.trim(), 200);
    const puzzled = what === "" ? "I didn't understand that." : `I didn't understand ${what}.`;
    blocks.push(section(puzzled));
    text = `${puzzled} ${text}`;
  }
  blocks.push(section(`*How to use ${COMMAND}*\n${usage}`));
  blocks.push(
    context("Every request needs an approver's OK. The secret is shown once, only to you."),
  );
  return finish(text, blocks, []);
}

/**
 * For a click that came too late (or twice): who decided, or why nothing can be decided.
 * `clickerId` lets a second Approve click from the same approver say "you already approved".
 */
export function buildAlreadyDecided(
  request: HybridClientRequest,
  clickerId?: string,
): SlackMessage {
  const r = request;
  let text: string;
  switch (r.status) {
    case "pending": {
      const mine = clickerId !== undefined && r.approvals.some((a) => a.userId === clickerId);
      const missing = Math.max(r.approvalsRequired - r.approvals.length, 0);
      text = mine
        ? `You already approved this request; waiting for ${missing} more approval${missing === 1 ? "" : "s"}.`
        : "This request is still waiting for approval.";
      break;
    }
    case "creating":
    case "created":
    case "failed":
      text = `Already approved by ${approvers(r)}.`;
      break;
    case "denied":
      text = `Already denied by ${r.denial ? mention(r.denial.userId) : "an approver"}.`;
      break;
    case "cancelled":
      text = "The requester cancelled this request.";
      break;
    case "expired":
      text = `This request expired: nobody decided within ${ttlHours(r)}.`;
      break;
  }
  return finish(text, [section(text)], []);
}

// ---------------------------------------------------------------------------------------
// Pieces shared by the messages above

/** Every field of the request, as the approver and the requester see them. */
function requestDetails(r: HybridClientRequest, role: string): KnownBlock[] {
  const c = r.client;
  const secretFields: [string, string][] = [
    ["Secret description", r.secret.description.trim() ? escapeMrkdwn(r.secret.description) : "—"],
    [
      "Expiration",
      r.secret.expiration === null
        ? "Never Expires ⚠️ _consider an expiration date_"
        : expiry(r.secret.expiration),
    ],
  ];
  if (r.kind === "new-secret") {
    return fieldSections(
      [
        ["Name", escapeMrkdwn(c.name) || "—"],
        ["Client Id", code(r.clientId) || "—"],
        ["Reminder channel", channelLink(r.reminderChannel)],
        ...secretFields,
      ],
      role,
    );
  }
  return [
    ...fieldSections(
      [
        ["Name", escapeMrkdwn(c.name) || "—"],
        ["Client Id", code(r.clientId) || "—"],
        ["Allow Refresh Token", c.allowOfflineAccess ? "Yes" : "No"],
        ["Token Lifetime", `${c.accessTokenLifetime} seconds`],
        ["Reminder channel", channelLink(r.reminderChannel)],
        ...secretFields,
      ],
      role,
    ),
    ...listSections("Allowed Redirect URL(s)", c.redirectUris, `${role}-redirect`),
    ...listSections("Allowed Logout Redirect URL(s)", c.postLogoutRedirectUris, `${role}-logout`),
  ];
}

/** Label/value pairs as section fields: at most 10 per section, each within 2000. */
function fieldSections(pairs: [string, string][], role: string): SectionBlock[] {
  const out: SectionBlock[] = [];
  for (let i = 0; i < pairs.length; i += LIMITS.sectionFields) {
    out.push({
      type: "section",
      block_id: `${role}-${i}`,
      fields: pairs
        .slice(i, i + LIMITS.sectionFields)
        .map(([label, value]) => mrkdwn(truncateMrkdwn(`*${label}*\n${value}`, LIMITS.field))),
    });
  }
  return out;
}

/**
 * A labelled list, one item per line in inline code, packed into as few sections as fit
 * 3000 characters each (escaping can make 10 long URLs much longer than they were typed).
 */
function listSections(label: string, items: readonly string[], role: string): SectionBlock[] {
  if (items.length === 0) return [section(`*${label}*\n_None_`, role)];
  const perItem = LIMITS.sectionText - label.length - 32;
  const lines = items.map((item) => code(item, perItem) || "—");
  const out: SectionBlock[] = [];
  let current = `*${label}*`;
  for (const line of lines) {
    if (current.length + 1 + line.length > LIMITS.sectionText) {
      out.push(section(current, `${role}-${out.length}`));
      current = `*${label}* (continued)`;
    }
    current += `\n${line}`;
  }
  out.push(section(current, `${role}-${out.length}`));
  return out;
}

function approvalProgress(r: HybridClientRequest, required: number, withDeadline: boolean): string {
  const who = r.approvals.map((a) => mention(a.userId)).join(", ");
  const progress = `${r.approvals.length} of ${required} approvals${who ? `: ${who}` : ""}`;
  return withDeadline
    ? `${progress} · requested ${when(r.createdAt)} · expires ${when(r.expiresAt)} unless decided`
    : progress;
}

function openStatus(r: HybridClientRequest): string {
  switch (r.status) {
    case "pending":
      return `Waiting for approval (${r.approvals.length} of ${r.approvalsRequired})`;
    case "creating":
      return "Approved; creating in ADH…";
    case "failed":
      return `⚠️ Approved, but ${failure(r)} The approvers can retry.`;
    default:
      return statusWord(r);
  }
}

function statusWord(r: HybridClientRequest): string {
  const words: Record<RequestStatus, string> = {
    pending: "waiting for approval",
    creating: "approved, creating",
    created: "approved and created",
    failed: "approved, creation failed",
    denied: "denied",
    cancelled: "cancelled",
    expired: "expired",
  };
  return words[r.status];
}

function failure(r: HybridClientRequest): string {
  const what = r.kind === "new-secret" ? "preparing the new secret" : "creating the client in ADH";
  const e = r.error;
  if (!e) return `${what} failed.`;
  const status = e.status !== undefined ? ` (HTTP ${e.status})` : "";
  const operation = e.operationId ? `\nOperation-Id: ${code(e.operationId, 120)}` : "";
  return `${what} failed${status}: ${escapeMrkdwn(e.message, 1000)}${operation}`;
}

function denial(r: HybridClientRequest): string {
  const who = r.denial ? mention(r.denial.userId) : "an approver";
  const reason = r.denial?.reason.trim() ?? "";
  return reason ? `❌ Denied by ${who} — ${escapeMrkdwn(reason)}` : `❌ Denied by ${who}`;
}

function approvers(r: HybridClientRequest): string {
  return r.approvals.length > 0
    ? r.approvals.map((a) => mention(a.userId)).join(", ")
    : "the approvers";
}

function cancelButton(r: HybridClientRequest): Button {
  return {
    type: "button",
    action_id: CANCEL,
    text: plain("Cancel request"),
    value: r.id,
    confirm: {
      title: plain("Cancel this request?"),
      text: mrkdwn(
        truncateMrkdwn(
          `Approvers will no longer be able to approve ${clientName(r, CONFIRM_NAME_MAX)}.`,
          LIMITS.confirmText,
        ),
      ),
      confirm: plain("Cancel request"),
      deny: plain("Keep it"),
    },
  };
}

/** The client's name in bold, escaped; `max` leaves room around it in short texts. */
const clientName = (r: HybridClientRequest, max = NAME_MAX): string =>
  r.client.name.trim() ? `*${escapeMrkdwn(r.client.name.trim(), max)}*` : "_(no name)_";

/** Room for the name inside a confirm dialog (300) next to the fixed words. */
const CONFIRM_NAME_MAX = 200;

const kindWord = (r: HybridClientRequest): string =>
  r.kind === "new-secret" ? "New secret" : "New hybrid client";

const againCommand = (r: HybridClientRequest): string =>
  r.kind === "new-secret" ? `${COMMAND} secret ${r.clientId}` : `${COMMAND} add`;

/** "24 hours" from the request's own lifetime. */
function ttlHours(r: HybridClientRequest): string {
  const hours = Math.round((epochSeconds(r.expiresAt) - epochSeconds(r.createdAt)) / 3600);
  return Number.isFinite(hours) && hours > 0
    ? `${hours} hour${hours === 1 ? "" : "s"}`
    : "the time allowed";
}

/**
 * The model stores milliseconds (Date.now()); accept seconds too, since 1e11 seconds is
 * year 5138 and 1e11 milliseconds is 1973, a number cannot be both.
 */
const epochSeconds = (t: number): number =>
  Math.abs(t) > 1e11 ? Math.floor(t / 1000) : Math.floor(t);

const when = (t: number): string => {
  const s = epochSeconds(t);
  return slackDate(s, isoFallback(s));
};

function isoFallback(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime())
    ? "unknown time"
    : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** An ISO expiration as a Slack date; anything else is shown escaped, as stored. */
function expiry(iso: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) return escapeMrkdwn(iso, 100);
  const seconds = Math.floor(ms / 1000);
  return slackDate(seconds, isoFallback(seconds));
}

/** `<url|label>` for an https link we were given (a permalink); anything else is dropped. */
function safeLink(url: string | undefined, label: string): string {
  return url !== undefined && /^https:\/\/[^\s<>|&]+$/.test(url) && url.length < 2000
    ? `<${url}|${label}>`
    : "";
}

/** block_id suffix that changes with every stored change of the request. */
const version = (r: HybridClientRequest): string =>
  `${r.status}:${r.approvals.length}:${r.updatedAt}`;

/**
 * Applies the message-level limits in one place: at most 50 blocks (the body is cut and
 * summarised, the footer with its buttons always kept), fallback text within 4000, and
 * block ids stamped with `version` so an update never reuses one.
 */
function finish(
  text: string,
  body: KnownBlock[],
  footer: KnownBlock[],
  versionTag?: string,
): SlackMessage {
  const room = LIMITS.messageBlocks - footer.length;
  let kept = body;
  if (body.length > room) {
    kept = body.slice(0, room - 1);
    kept.push(context(`…and ${body.length - kept.length} more sections not shown.`, "more"));
  }
  const blocks = [...kept, ...footer].map((b, i) => {
    if (versionTag === undefined) return b;
    const id = `${b.block_id ?? `b${i}`}:${versionTag}`;
    return {
      ...b,
      block_id: id.length <= LIMITS.id ? id : `b${i}:${versionTag}`.slice(0, LIMITS.id),
    };
  });
  return { text: truncateMrkdwn(text, LIMITS.fallbackText), blocks };
}

// Block primitives. Text passed in is mrkdwn already escaped by the caller; these only cut.

const plain = (text: string) => ({ type: "plain_text" as const, text, emoji: true });

const mrkdwn = (text: string): MrkdwnElement => ({ type: "mrkdwn", text });

function header(text: string, blockId?: string): HeaderBlock {
  return {
    type: "header",
    text: plain(truncate(text, LIMITS.header)),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

function section(text: string, blockId?: string): SectionBlock {
  return {
    type: "section",
    text: mrkdwn(truncateMrkdwn(text, LIMITS.sectionText) || " "),
    ...(blockId ? { block_id: blockId } : {}),
  };
}

function context(text: string, blockId?: string): ContextBlock {
  return {
    type: "context",
    elements: [mrkdwn(truncateMrkdwn(text, LIMITS.sectionText) || " ")],
    ...(blockId ? { block_id: blockId } : {}),
  };
}

function actions(elements: Button[], blockId: string): ActionsBlock {
  return { type: "actions", block_id: blockId, elements };
}

function preformatted(text: string): RichTextBlock {
  return {
    type: "rich_text",
    elements: [{ type: "rich_text_preformatted", elements: [{ type: "text", text }] }],
  };
}
