// What the clicker is told when a click changed nothing. The use cases return the reason
// as a value; the words (and mentions) are Slack's business, so they live here.

import type { RespondFn } from "@slack/bolt";
import type { HybridClientRequest } from "../../requests/model.js";
import type { ClickOutcome, ClickRefusal } from "../../requests/outcomes.js";
import { tell } from "../kit/ack.js";
import { finish, type SlackMessage, section } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { code, mention } from "../kit/mrkdwn.js";
import { approvers, ttlHours } from "./details.js";

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
        return `The secret was already revealed and cannot be shown again. To get a new one, run ${code(`${COMMAND} secret ${refusal.request.clientId}`)}.`;
      }
      if (refusal.request.reveal === "minting") {
        return "The secret is being created right now; it will appear in a moment.";
      }
      return buildAlreadyDecided(refusal.request, clickerId).text;
  }
}

/** Tells the clicker why nothing changed, or `done` when something did and it needs saying. */
export async function answerClick(
  respond: RespondFn,
  clickerId: string,
  outcome: ClickOutcome,
  done?: string,
): Promise<void> {
  if (!outcome.ok) await tell(respond, refusalText(outcome.refusal, clickerId));
  else if (done) await tell(respond, done);
}
