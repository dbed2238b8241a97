// What the clicker is told when a click changed nothing. The workflow returns the reason
// as a value; the words (and mentions) are Slack's business, so they live here.
import type { ClickRefusal } from "../requests/workflow.js";
import { buildAlreadyDecided } from "./messages.js";
import { code } from "./mrkdwn.js";

export function refusalText(refusal: ClickRefusal, clickerId: string): string {
  switch (refusal.code) {
    case "not-found":
      return "This request no longer exists (finished requests are kept for 30 days).";
    case "not-approver":
      return "Only the configured approvers can approve, deny or retry requests.";
    case "nothing-changed":
      return "Nothing changed.";
    case "self-approval":
      return "You cannot approve your own request; another approver has to.";
    case "already-approved-by-you":
      return "You have already approved this request; it is waiting for another approver.";
    case "not-requester":
      return "Only the person who made this request can do that.";
    case "not-expired-yet":
      return "This request has not expired yet.";
    case "not-failed":
    case "already-decided":
      return buildAlreadyDecided(refusal.request, clickerId).text;
    case "not-ready":
      if (refusal.request.reveal === "revealed") {
        return `The secret was already revealed and cannot be shown again. To get a new one, run ${code(`/hybrid-client secret ${refusal.request.clientId}`)}.`;
      }
      if (refusal.request.reveal === "minting") {
        return "The secret is being created right now; it will appear in a moment.";
      }
      return buildAlreadyDecided(refusal.request, clickerId).text;
  }
}

export function mintFailedText(problem: string): string {
  return `The secret could not be created: ${problem}. Nothing was revealed; click Reveal secret again to retry.`;
}
