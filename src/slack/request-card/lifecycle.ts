// How the lifecycle kinds (edit, disable, enable, delete, delete-secret) are shown: the
// approvals message's title and what exactly will change (an edit's per-field diff, the
// destructive marks), and what the requester is told once ADH applied it.
import type { KnownBlock } from "@slack/types";
import { isLifecycleKind } from "../../requests/lifecycle.js";
import { type EditableFields, type HybridClientRequest, KIND } from "../../requests/model.js";
import { section } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { expiry } from "../kit/dates.js";
import { LIMITS } from "../kit/limits.js";
import { code, escapeMrkdwn, mention, truncateMrkdwn } from "../kit/mrkdwn.js";

export const isLifecycleRequest = (r: HybridClientRequest): boolean => isLifecycleKind(r.kind);

/** Said with every answer about an update or delete. */
export const TAKES_AN_HOUR =
  "ADH can take up to an hour to apply this to sign-ins; access tokens already issued stay valid until they expire.";

const name = (r: HybridClientRequest) =>
  r.client.name.trim() ? `*${escapeMrkdwn(r.client.name.trim(), 200)}*` : "_(no name)_";
const ident = (r: HybridClientRequest) => `${name(r)} (${code(r.clientId, 120)})`;

export function lifecycleTitle(r: HybridClientRequest): string {
  switch (r.kind) {
    case KIND.edit:
      return "Edit client request";
    case KIND.disable:
      return "Disable client request";
    case KIND.enable:
      return "Enable client request";
    case KIND.deleteClient:
      return "⚠️ Delete client request (destructive)";
    case KIND.deleteSecret:
      return "⚠️ Delete secret request (destructive)";
    default:
      return "Request";
  }
}

/** Short kind words for lists ("Edit client"). */
export function lifecycleKindWord(r: HybridClientRequest): string {
  const words: Record<string, string> = {
    [KIND.edit]: "Edit client",
    [KIND.disable]: "Disable client",
    [KIND.enable]: "Enable client",
    [KIND.deleteClient]: "Delete client",
    [KIND.deleteSecret]: "Delete secret",
  };
  return words[r.kind] ?? r.kind;
}

export function lifecycleAgainCommand(r: HybridClientRequest): string {
  switch (r.kind) {
    case KIND.edit:
      return `${COMMAND} edit ${r.clientId}`;
    case KIND.disable:
      return `${COMMAND} disable ${r.clientId}`;
    case KIND.enable:
      return `${COMMAND} enable ${r.clientId}`;
    case KIND.deleteClient:
      return `${COMMAND} delete ${r.clientId}`;
    default:
      return `${COMMAND} delete-secret ${r.clientId} ${r.kind === KIND.deleteSecret ? (r.target?.secretId ?? "") : ""}`;
  }
}

/** The sentence under the title: who asks for what. */
export function lifecycleAsks(r: HybridClientRequest): string {
  const who = mention(r.requesterId);
  switch (r.kind) {
    case KIND.edit:
      return `${who} asks to change client ${ident(r)}.`;
    case KIND.disable:
      return `${who} asks to *disable* client ${ident(r)}. Disabling stops new sign-ins; access tokens already issued stay valid until they expire.`;
    case KIND.enable:
      return `${who} asks to *enable* client ${ident(r)} again: it can sign in again.`;
    case KIND.deleteClient:
      return `🚨 *Destructive:* ${who} asks to *delete* client ${ident(r)} and its ${r.secretCount ?? 0} secret(s). This cannot be undone; applications using it stop signing in.`;
    case KIND.deleteSecret:
      return `🚨 *Destructive:* ${who} asks to *delete a secret* of client ${ident(r)}.`;
    default:
      return `${who} asks about client ${ident(r)}.`;
  }
}

const FIELD_LABEL: Record<keyof EditableFields, string> = {
  name: "Name",
  allowOfflineAccess: "Allow Refresh Token",
  redirectUris: "Allowed Redirect URL(s)",
  postLogoutRedirectUris: "Allowed Logout Redirect URL(s)",
  accessTokenLifetime: "Token Lifetime",
  enabled: "Enabled",
};

const scalar = (v: unknown): string => {
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "number") return `${v} seconds`;
  return escapeMrkdwn(String(v ?? ""), 300) || "—";
};

/** One line per changed field, `old → new`; URL lists say what was added and removed. */
export function editDiffLines(before: EditableFields, after: EditableFields): string[] {
  const lines: string[] = [];
  for (const key of Object.keys(FIELD_LABEL) as (keyof EditableFields)[]) {
    if (!(key in after)) continue;
    const label = FIELD_LABEL[key];
    const was = before[key];
    const now = after[key];
    if (Array.isArray(now) || Array.isArray(was)) {
      const old = Array.isArray(was) ? was : [];
      const next = Array.isArray(now) ? now : [];
      const added = next.filter((u) => !old.includes(u)).map((u) => `➕ added ${code(u, 400)}`);
      const removed = old.filter((u) => !next.includes(u)).map((u) => `➖ removed ${code(u, 400)}`);
      const summary = `${old.length} → ${next.length === 0 ? "none (cleared)" : next.length}`;
      lines.push([`*${label}*: ${summary}`, ...removed, ...added].join("\n"));
    } else {
      lines.push(`*${label}*: ${scalar(was)} → ${scalar(now)}`);
    }
  }
  return lines;
}

/** What will change, as the approvers (and later the requester) see it. */
export function lifecycleDetails(r: HybridClientRequest, role: string): KnownBlock[] {
  const out: KnownBlock[] = [];
  if (r.kind === KIND.edit && r.edit) {
    const lines = editDiffLines(r.edit.before, r.edit.after);
    out.push(
      section(
        truncateMrkdwn(`*What changes*\n${lines.join("\n")}`, LIMITS.sectionText),
        `${role}-diff`,
      ),
    );
  }
  if (r.kind === KIND.deleteSecret && r.target) {
    const t = r.target;
    const desc = t.description.trim() ? escapeMrkdwn(t.description, 200) : "—";
    const when = t.expiration === null ? "Never Expires" : expiry(t.expiration);
    let text = `*Secret*\nId ${t.secretId} · ${desc} · expires ${when}`;
    if (t.last) {
      text += `\n⚠️ *This is the client's last secret:* after the deletion the client has no secret and cannot sign in until a new one is added.`;
    }
    out.push(section(text, `${role}-secret`));
  }
  out.push(section(`_${TAKES_AN_HOUR}_`, `${role}-hour`));
  return out;
}

/** The approvals message's line once applied. */
export function lifecycleDoneLine(r: HybridClientRequest, by: string): string {
  return `✅ Approved by ${by}; ${lifecyclePastTense(r)}. ${TAKES_AN_HOUR}`;
}

export function lifecyclePastTense(r: HybridClientRequest): string {
  switch (r.kind) {
    case KIND.edit:
      return "client updated";
    case KIND.disable:
      return "client disabled";
    case KIND.enable:
      return "client enabled";
    case KIND.deleteClient:
      return "client deleted";
    default:
      return "secret deleted";
  }
}

/** What the requester is told once ADH applied it. */
export function lifecycleRequesterDone(r: HybridClientRequest, by: string): string {
  const what = lifecyclePastTense(r);
  const title = what.charAt(0).toUpperCase() + what.slice(1);
  return `✅ ${title}: your request for ${ident(r)} was approved by ${by} and applied. ${TAKES_AN_HOUR}`;
}
