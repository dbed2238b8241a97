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
    case "too-many-open":
      return `You already have ${refusal.limit} open request${refusal.limit === 1 ? "" : "s"}, the most one person may have (MAX_OPEN_REQUESTS_PER_USER). Nothing was submitted. Wait for them to be decided, or cancel one (\`${COMMAND} status\`), then submit again.`;
    case "reminder-channel":
      return reminderChannelText(refusal.problem);
  }
}

export function sentForApprovalText(request: HybridClientRequest): string {
  const where = request.approvalMessage?.channel;
  return `Your request for *${escapeMrkdwn(request.client.name)}* was sent for approval${where ? ` in ${channelLink(where)}` : ""}. You will get a direct message when it is decided. \`${COMMAND} status\` shows your open requests.`;
}

/** Why the Reminder channel was refused at submit. */
export function reminderChannelText(problem: "not-found" | "not-a-channel" | "not-member"): string {
  switch (problem) {
    case "not-found":
      return "The Reminder channel could not be found, or the bot cannot see it. Nothing was submitted; pick a public channel, or invite the bot to the private one (/invite @hybrid-client-bot), then submit again.";
    case "not-a-channel":
      return "The Reminder channel must be a channel, not a person or a direct message. Nothing was submitted; pick a channel and submit again.";
    case "not-member":
      return "The Reminder channel is private and the bot is not in it, so reminders could not be posted there. Nothing was submitted; invite the bot (/invite @hybrid-client-bot) or pick another channel, then submit again.";
  }
}
