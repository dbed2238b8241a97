// How a request is shown wherever it appears (approvals, receipts, DMs, refusals): its
// fields, its status in words, who decided. Every string a user typed is escaped (and cut
// to its limit) before it reaches mrkdwn.
import type { KnownBlock, SectionBlock } from "@slack/types";
import { type HybridClientRequest, KIND, type RequestStatus } from "../../requests/model.js";
import { mrkdwn, section } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { epochSeconds, expiry, when } from "../kit/dates.js";
import { LIMITS } from "../kit/limits.js";
import { channelLink, code, escapeMrkdwn, mention, truncateMrkdwn } from "../kit/mrkdwn.js";
import { failureReason } from "./failures.js";
import {
  isLifecycleRequest,
  lifecycleAgainCommand,
  lifecycleDetails,
  lifecycleKindWord,
} from "./lifecycle.js";

/** Longest client name shown; validation allows 200, stored data gets the benefit of the doubt. */
export const NAME_MAX = 300;

/** Room for the name inside a confirm dialog (300) next to the fixed words. */
export const CONFIRM_NAME_MAX = 200;

/** The client's name in bold, escaped; `max` leaves room around it in short texts. */
export const clientName = (r: HybridClientRequest, max = NAME_MAX): string =>
  r.client.name.trim() ? `*${escapeMrkdwn(r.client.name.trim(), max)}*` : "_(no name)_";

export const kindWord = (r: HybridClientRequest): string =>
  isLifecycleRequest(r)
    ? lifecycleKindWord(r)
    : r.kind === KIND.rotation
      ? "New secret"
      : "New hybrid client";

export const againCommand = (r: HybridClientRequest): string =>
  isLifecycleRequest(r)
    ? lifecycleAgainCommand(r)
    : r.kind === KIND.rotation
      ? `${COMMAND} secret ${r.clientId}`
      : `${COMMAND} add`;

/** "24 hours" from the request's own lifetime. */
export function ttlHours(r: HybridClientRequest): string {
  const hours = Math.round((epochSeconds(r.expiresAt) - epochSeconds(r.createdAt)) / 3600);
  return Number.isFinite(hours) && hours > 0
    ? `${hours} hour${hours === 1 ? "" : "s"}`
    : "the time allowed";
}

/** block_id suffix that changes with every stored change of the request. */
export const version = (r: HybridClientRequest): string =>
  `${r.status}:${r.approvals.length}:${r.updatedAt}`;

/** Every field of the request, as the approver and the requester see them. */
/** A rotation that retires a secret says which one, and when it goes (issue 11 item 5). */
function retireFields(r: HybridClientRequest): [string, string][] {
  if (r.kind !== KIND.rotation || !r.retire) return [];
  const t = r.retire;
  const desc = t.description.trim() ? ` (${escapeMrkdwn(t.description.trim(), 200)})` : "";
  const until = t.expiration === null ? "never expires" : `expires ${expiry(t.expiration)}`;
  const what = `secret ${t.secretId}${desc}, ${until}`;
  return [
    t.first
      ? [
          "⚠️ Deletes first",
          `The client is at ADH's limit of 10 secrets: ${what} is deleted *before* the new one is created. ADH can take up to an hour to apply a deletion to sign-ins.`,
        ]
      : [
          "Also retires",
          `Also retires ${what}: the requester deletes it after revealing the new secret. ADH can take up to an hour to apply a deletion to sign-ins.`,
        ],
  ];
}

export function requestDetails(r: HybridClientRequest, role: string): KnownBlock[] {
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
  if (isLifecycleRequest(r)) {
    return [
      ...fieldSections(
        [
          ["Name", escapeMrkdwn(c.name) || "—"],
          ["Client Id", code(r.clientId) || "—"],
        ],
        role,
      ),
      ...lifecycleDetails(r, role),
    ];
  }
  if (r.kind === KIND.rotation) {
    return fieldSections(
      [
        ["Name", escapeMrkdwn(c.name) || "—"],
        ["Client Id", code(r.clientId) || "—"],
        ["Reminder channel", channelLink(r.reminderChannel)],
        ...secretFields,
        ...retireFields(r),
      ],
      role,
    );
  }
  return [
    ...fieldSections(
      [
        ["Name", escapeMrkdwn(c.name) || "—"],
        // The Id is only shown once the client exists: before that it would tell anyone
        // reading the approvals channel which Id to pre-create.
        ["Client Id", r.status === "created" ? code(r.clientId) || "—" : "_assigned when created_"],
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
  const lines = items.map((item) => {
    const shown = code(item, perItem) || "—";
    const ascii = punycodeHost(item);
    return ascii ? `${shown} ⚠️ host in ASCII: ${code(ascii, 300)}` : shown;
  });
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

export function approvalProgress(
  r: HybridClientRequest,
  required: number,
  withDeadline: boolean,
): string {
  const who = r.approvals.map((a) => mention(a.userId)).join(", ");
  const progress = `${r.approvals.length} of ${required} approvals${who ? `: ${who}` : ""}`;
  return withDeadline
    ? `${progress} · requested ${when(r.createdAt)} · expires ${when(r.expiresAt)} unless decided`
    : progress;
}

export function statusWord(r: HybridClientRequest): string {
  if (isLifecycleRequest(r) && (r.status === "created" || r.status === "creating")) {
    return r.status === "created" ? "approved and applied" : "approved, applying";
  }
  if (isLifecycleRequest(r) && r.status === "failed") return "approved, applying failed";
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

export function failure(r: HybridClientRequest): string {
  const what = isLifecycleRequest(r)
    ? "applying it in ADH"
    : r.kind === KIND.rotation
      ? "preparing the new secret"
      : "creating the client in ADH";
  const e = r.error;
  if (!e) return `${what} failed.`;
  const status = e.status !== undefined ? ` (HTTP ${e.status})` : "";
  const operation = e.operationId ? `\nOperation-Id: ${code(e.operationId, 120)}` : "";
  return `${what} failed${status}: ${escapeMrkdwn(failureReason(e), 1000)}${operation}`;
}

export function denial(r: HybridClientRequest): string {
  const who = r.denial ? mention(r.denial.userId) : "an approver";
  const reason = r.denial?.reason.trim() ?? "";
  return reason ? `❌ Denied by ${who} — ${escapeMrkdwn(reason)}` : `❌ Denied by ${who}`;
}

export function approvers(r: HybridClientRequest): string {
  return r.approvals.length > 0
    ? r.approvals.map((a) => mention(a.userId)).join(", ")
    : "the approvers";
}

/**
 * The ASCII (punycode) form of a URL's host when it was typed with non-ASCII letters, so
 * approvers see that `pаypal.com` (Cyrillic а) is `xn--pypal-4ve.com`; else undefined.
 */
export function punycodeHost(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: any character beyond ASCII
  return /[^\u0000-\u007f]/.test(url) && host.includes("xn--") ? host : undefined;
}
