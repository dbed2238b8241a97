// What the requester reads while asking: why a form cannot open, why a submit stored
// nothing, and where the request went.
import type { HybridClientRequest } from "../../requests/model.js";
import type { RotationRefusal, SubmitRefusal } from "../../requests/outcomes.js";
import { COMMAND } from "../kit/command.js";
import { channelLink, escapeMrkdwn } from "../kit/mrkdwn.js";
import {
  noSuchClientText,
  requesterRefusalText,
  secretLimitText,
} from "../request-card/failures.js";

export const ROTATION_USAGE = `Which client? Usage: \`${COMMAND} secret <client-id>\` (\`${COMMAND} list\` shows the ids).`;

/** The title of the notice that replaces a form the requester may not use. */
export function noticeTitle(code: string): string {
  return code === "adh-unavailable" ? "ADH unreachable" : "Not allowed";
}

export function rotationRefusalText(refusal: RotationRefusal): string {
  switch (refusal.code) {
    case "not-a-client-id":
      // Not echoed: it is user-typed text, and these messages are shown as mrkdwn.
      return `That is not a client id. Client ids look like 3f2504e0-4f89-11d3-9a0c-0305e82c3301; \`${COMMAND} list\` shows them.`;
    case "no-such-client":
      return noSuchClientText(refusal.clientId);
    case "secret-limit":
      return secretLimitText(refusal.clientId);
    case "adh-unavailable":
      return `AVEVA Data Hub could not be reached to look up the client (${refusal.detail}). Nothing was submitted; try again in a few minutes.`;
  }
}

export function submitRefusalText(refusal: SubmitRefusal): string {
  switch (refusal.code) {
    case "requester":
      return requesterRefusalText(refusal.check);
    case "draft-expired":
      return "This form is more than an hour old and was not kept. Nothing was submitted; please start again.";
    case "approval-post-failed":
      return `Your request could not be posted to the approvals channel (${refusal.detail}). Ask the bot's operator to invite the bot there (/invite @hybrid-client-bot), then submit again.`;
    case "replace-required":
      return "This client already holds 10 secrets, the most ADH allows: choose under *Replace secret* the one to delete before the new one is created. Nothing was submitted.";
  }
}

export function sentForApprovalText(request: HybridClientRequest): string {
  const where = request.approvalMessage?.channel;
  return `Your request for *${escapeMrkdwn(request.client.name)}* was sent for approval${where ? ` in ${channelLink(where)}` : ""}. You will get a direct message when it is decided. \`${COMMAND} status\` shows your open requests.`;
}
