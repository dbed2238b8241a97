// What the requester reads while asking: why a form cannot open, why a submit stored
// nothing, and where the request went.
import type { HybridClientRequest } from "../../requests/model.js";
import type { RotationRefusal } from "../../requests/outcomes.js";
import { COMMAND } from "../kit/command.js";
import { channelLink, escapeMrkdwn } from "../kit/mrkdwn.js";
import { noSuchClientText, notAClientIdText, secretLimitText } from "../request-card/failures.js";

export { reminderChannelText, submitRefusalText } from "../request-card/submit-refusals.js";

export const ROTATION_USAGE = `Which client? Usage: \`${COMMAND} secret <client-id>\` (\`${COMMAND} list\` shows the ids).`;

/** The title of the notice that replaces a form the requester may not use. */
export function noticeTitle(code: string): string {
  return code === "adh-unavailable" ? "ADH unreachable" : "Not allowed";
}

export function rotationRefusalText(refusal: RotationRefusal): string {
  switch (refusal.code) {
    case "not-a-client-id":
      return notAClientIdText();
    case "no-such-client":
      return noSuchClientText(refusal.clientId);
    case "secret-limit":
      return secretLimitText(refusal.clientId);
    case "adh-unavailable":
      return `AVEVA Data Hub could not be reached to look up the client (${refusal.detail}). Nothing was submitted; try again in a few minutes.`;
  }
}

export function sentForApprovalText(request: HybridClientRequest): string {
  const where = request.approvalMessage?.channel;
  return `Your request for *${escapeMrkdwn(request.client.name)}* was sent for approval${where ? ` in ${channelLink(where)}` : ""}. You will get a direct message when it is decided. \`${COMMAND} status\` shows your open requests.`;
}
