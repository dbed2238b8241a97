// The approvals-channel message: the request, its approvals so far, and Approve/Deny
// while pending; afterwards what happened (and Retry when applying failed).
import type { Button, KnownBlock } from "@slack/types";
import { type HybridClientRequest, KIND } from "../../requests/model.js";
import { APPROVE, DENY, RETRY } from "../ids.js";
import {
  actions,
  context,
  finish,
  header,
  mrkdwn,
  plain,
  type SlackMessage,
  section,
} from "../kit/blocks.js";
import { LIMITS } from "../kit/limits.js";
import { code, escapeMrkdwn, mention, truncateMrkdwn } from "../kit/mrkdwn.js";
import {
  approvalProgress,
  approvers,
  CONFIRM_NAME_MAX,
  clientName,
  denial,
  failure,
  requestDetails,
  statusWord,
  ttlHours,
  version,
} from "../request-card/details.js";
import {
  isLifecycleRequest,
  lifecycleAsks,
  lifecycleDoneLine,
  lifecycleTitle,
} from "../request-card/lifecycle.js";

export function buildApprovalMessage(
  request: HybridClientRequest,
  opts: { approvalsRequired: number },
): SlackMessage {
  const r = request;
  const lifecycle = isLifecycleRequest(r);
  const title = lifecycle
    ? lifecycleTitle(r)
    : r.kind === KIND.rotation
      ? "New secret request"
      : "Hybrid client request";
  const asks = lifecycle
    ? lifecycleAsks(r)
    : r.kind === KIND.rotation
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
    ...neverExpiresAdvice(r, opts.approvalsRequired),
    context(
      approvalProgress(
        r,
        Math.max(opts.approvalsRequired, r.approvalsRequired),
        r.status === "pending",
      ),
      "progress",
    ),
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

/**
 * A never-expiring secret: ADH's own advice against it, always; and, when the tenant policy
 * (NEVER_EXPIRES=extra-approval) asked one more approval of it, why this request needs it.
 */
function neverExpiresAdvice(r: HybridClientRequest, baseRequired: number): KnownBlock[] {
  if (r.secret.expiration !== null) return [];
  const advice =
    "⚠️ *This secret never expires.* AVEVA Data Hub advises against secrets without an expiration date: a leaked one stays valid until someone deletes it.";
  const extra =
    r.approvalsRequired > baseRequired
      ? `\nTenant policy (NEVER_EXPIRES=extra-approval): it needs ${r.approvalsRequired} distinct approvals, one more than usual, because it never expires.`
      : "";
  return [section(`${advice}${extra}`, "never-expires")];
}

function approveButton(r: HybridClientRequest): Button {
  const what = isLifecycleRequest(r)
    ? `Approve: ${truncateMrkdwn(lifecycleAsks(r), 220)}`
    : r.kind === KIND.rotation
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
  const secretOnly = r.kind === KIND.rotation;
  switch (r.status) {
    case "pending":
      return "Waiting for approval";
    case "creating":
      if (isLifecycleRequest(r)) return `⏳ Approved by ${by} — applying it in ADH…`;
      return secretOnly
        ? `⏳ Approved by ${by} — preparing the new secret…`
        : `⏳ Approved by ${by} — creating the client in ADH…`;
    case "created":
      if (isLifecycleRequest(r)) return lifecycleDoneLine(r, by);
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
