// Delete old secret (issue 11 item 5) in the requester's revealed DM: the danger button
// with its confirm dialog, what the DM says once the old secret is gone, the 7-day
// reminder in the DM's thread, and the ephemeral answers to a press.
import type { Button, KnownBlock } from "@slack/types";
import { type HybridClientRequest, KIND } from "../../requests/model.js";
import { pendingRetirement, type RetireOutcome } from "../../requests/retire.js";
import { DELETE_OLD_SECRET } from "../ids.js";
import { actions, plain, type SlackMessage, section } from "../kit/blocks.js";
import { when } from "../kit/dates.js";
import { escapeMrkdwn } from "../kit/mrkdwn.js";
import { DELETION_TAKES_AN_HOUR } from "../request-form/replace-secret.js";

function secretWords(t: { secretId: number; description: string }): string {
  const desc = t.description.trim();
  return `secret ${t.secretId}${desc ? ` (${escapeMrkdwn(desc, 200)})` : ""}`;
}

/** Above the footer: what the old secret's state is. */
export function retireBlocks(r: HybridClientRequest): KnownBlock[] {
  if (r.kind !== KIND.rotation || !r.retire) return [];
  if (r.retire.first) {
    const text = `Old ${secretWords(r.retire)} was deleted before this one was created (the client was at ADH's limit of 10 secrets). ${DELETION_TAKES_AN_HOUR}`;
    return [section(text, "retired")];
  }
  if (r.retiredAt) {
    const text = `🗑️ Old secret ${r.retire.secretId} deleted at ${when(r.retiredAt)}. ${DELETION_TAKES_AN_HOUR}`;
    return [section(text, "retired")];
  }
  return [
    section(
      `This request also retires ${secretWords(r.retire)}. Once the new secret works everywhere, press *Delete old secret*: no further approval is needed. ${DELETION_TAKES_AN_HOUR}`,
      "retire",
    ),
  ];
}

/** The Delete old secret button while it can still be used. */
export function retireFooter(r: HybridClientRequest): KnownBlock[] {
  const target = pendingRetirement(r);
  if (!target) return [];
  const button: Button = {
    type: "button",
    action_id: DELETE_OLD_SECRET,
    text: plain("Delete old secret"),
    style: "danger",
    value: r.id,
    confirm: {
      title: plain("Delete old secret?"),
      text: {
        type: "mrkdwn",
        text: `Delete ${secretWords(target)} of this client in AVEVA Data Hub? Anything still signing in with it stops working. ${DELETION_TAKES_AN_HOUR}`,
      },
      confirm: plain("Delete"),
      deny: plain("Keep it"),
      style: "danger",
    },
  };
  return [actions([button], "retire_actions")];
}

export const retireTag = (r: HybridClientRequest): string =>
  r.kind === KIND.rotation && r.retiredAt ? ":retired" : "";

/** The one reminder, posted in the DM's thread 7 days after the reveal. */
export function buildRetireReminder(r: HybridClientRequest): SlackMessage {
  const target = pendingRetirement(r);
  const what = target ? secretWords(target) : "the old secret";
  const text = `Reminder: ${what} is still live. If the new secret works everywhere, press *Delete old secret* above. ${DELETION_TAKES_AN_HOUR}`;
  return { text, blocks: [section(text, "retire_reminder")] };
}

/** The ephemeral answer to a Delete old secret press. */
export function retireAnswer(outcome: RetireOutcome): string {
  if (outcome.ok) {
    return `Old ${secretWords(outcome)} deleted at ${when(outcome.at)}. ${DELETION_TAKES_AN_HOUR}`;
  }
  if ("failed" in outcome) {
    return `The old secret could not be deleted: ${escapeMrkdwn(outcome.failed, 500)}. Nothing changed; press Delete old secret again to retry. ${DELETION_TAKES_AN_HOUR}`;
  }
  switch (outcome.refusal.code) {
    case "not-requester":
      return "Only the person who requested this secret can delete the old one.";
    case "already-deleted":
      return `The old secret was already deleted at ${when(outcome.refusal.at)}. ${DELETION_TAKES_AN_HOUR}`;
    case "in-progress":
      return `The old secret is being deleted right now (another press). ${DELETION_TAKES_AN_HOUR}`;
    case "not-revealed":
      return "Reveal the new secret first; then the old one can be deleted.";
    case "nothing-to-retire":
      return "This request has no old secret to delete.";
    case "not-found":
      return "This request no longer exists.";
  }
}
