// Why a submit stored nothing, in the words every journey that submits a request uses.
import type { SubmitRefusal } from "../../requests/outcomes.js";
import { COMMAND } from "../kit/command.js";
import { requesterRefusalText } from "./failures.js";

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
    case "replace-required":
      return "This client already holds 10 secrets, the most ADH allows: choose under *Replace secret* the one to delete before the new one is created. Nothing was submitted.";
  }
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
