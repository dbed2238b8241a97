// What the requester is told: the receipt with its Cancel button, each later outcome,
// and `/hybrid-client status` (their open requests).
import type { Button, KnownBlock } from "@slack/types";
import { type HybridClientRequest, KIND, OPEN_STATUSES } from "../../requests/model.js";
import type { RequesterEvent } from "../../requests/ports.js";
import { CANCEL } from "../ids.js";
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
import { when } from "../kit/dates.js";
import { LIMITS } from "../kit/limits.js";
import { channelLink, code, escapeMrkdwn, mention, truncateMrkdwn } from "../kit/mrkdwn.js";
import {
  againCommand,
  approvalProgress,
  approvers,
  CONFIRM_NAME_MAX,
  clientName,
  failure,
  kindWord,
  statusWord,
  ttlHours,
  version,
} from "../request-card/details.js";
import { isLifecycleRequest, lifecycleRequesterDone } from "../request-card/lifecycle.js";

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
export function buildRequesterUpdate(
  request: HybridClientRequest,
  event?: RequesterEvent,
): SlackMessage {
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
        r.kind === KIND.rotation
          ? `✅ ${yours} was approved by ${by}. Preparing the new secret…`
          : `✅ ${yours} was approved by ${by}. Creating the client in ADH…`;
      break;
    case "created":
      text = isLifecycleRequest(r)
        ? lifecycleRequesterDone(r, by)
        : r.kind === KIND.rotation
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
  if (event === "retried" && r.status === "creating") {
    text = `🔁 ${yours} is being tried again: an approver retried it.`;
  }
  return finish(text, [section(text, "update")], [], version(r));
}

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

/** `<url|label>` for an https link we were given (a permalink); anything else is dropped. */
function safeLink(url: string | undefined, label: string): string {
  return url !== undefined && /^https:\/\/[^\s<>|&]+$/.test(url) && url.length < 2000
    ? `<${url}|${label}>`
    : "";
}
