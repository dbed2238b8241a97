// Expiry reminders and never-expires findings as Slack messages. Client names and descriptions come from ADH, where anyone with access typed
// them: always escaped. The button value is only the client id; the click re-reads the rest.
import type { ActionsBlock, ContextBlock, HeaderBlock, SectionBlock } from "@slack/types";
import type { DueReminder, NeverExpiresFinding } from "../../reminders/ports.js";
import { describeTimeLeft } from "../../reminders/thresholds.js";
import { REQUEST_NEW_SECRET } from "../ids.js";
import type { SlackMessage } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { dateAt } from "../kit/dates.js";
import { LIMITS, truncate } from "../kit/limits.js";
import { code, escapeMrkdwn } from "../kit/mrkdwn.js";

/** Longest name or description shown (well inside a 2000-char section field). */
const TEXT_MAX = 200;

const name = (n: string, id: string) => escapeMrkdwn(n.trim() === "" ? id : n, TEXT_MAX);
const description = (d: string) =>
  d.trim() === "" ? "_(no description)_" : escapeMrkdwn(d, TEXT_MAX);
/** "Jan 5, 2027 11:59 PM" in each reader's own time zone; ISO (UTC) where that cannot render. */
export const expiryDate = (epoch: number) => dateAt(epoch, "second");

function requestButton(clientId: string): ActionsBlock {
  return {
    type: "actions",
    block_id: "reminder_actions",
    elements: [
      {
        type: "button",
        action_id: REQUEST_NEW_SECRET,
        text: { type: "plain_text", text: "Request new secret" },
        style: "primary",
        value: truncate(clientId, LIMITS.buttonValue),
      },
    ],
  };
}

function header(text: string): HeaderBlock {
  return { type: "header", text: { type: "plain_text", text: truncate(text, LIMITS.header) } };
}

function secretFields(r: {
  clientId: string;
  clientName: string;
  secretId: number;
  description: string;
}): SectionBlock {
  return {
    type: "section",
    block_id: "reminder_secret",
    fields: [
      { type: "mrkdwn", text: `*Client*\n${name(r.clientName, r.clientId)}` },
      { type: "mrkdwn", text: `*Client Id*\n${code(r.clientId, 100)}` },
      { type: "mrkdwn", text: `*Secret*\n${description(r.description)} (id ${r.secretId})` },
    ],
  };
}

/** Headline: "Client secret expires in 7 days" / "… expires today" / "… has expired". */
function headline(r: DueReminder, now: number): string {
  const left = describeTimeLeft(r.expiration, now);
  if (left === "expired") return "Client secret has expired";
  if (left === "expires today") return "Client secret expires today";
  return `Client secret expires in ${left.replace(" left", "")}`;
}

/**
 * The reminder for one (secret, threshold). `now` (epoch s) only words the time left;
 * by default it is recomputed from the reminder's own daysLeft.
 */
export function buildReminderMessage(
  r: DueReminder,
  now = r.expiration - r.daysLeft * 86_400,
): SlackMessage {
  const left = describeTimeLeft(r.expiration, now);
  const when = expiryDate(r.expiration);
  const expired = left === "expired";
  const fields = secretFields(r);
  fields.fields?.push({
    type: "mrkdwn",
    text: `*${expired ? "Expired" : "Expires"}*\n${when} (${left})`,
  });
  const advice: ContextBlock = {
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: expired
          ? "Logins with this secret fail now. Request a new secret, put it in the service that uses this client, then delete the old one in the ADH portal."
          : "Request a new secret before this one expires and put it in the service that uses this client; then delete the old one in the ADH portal.",
      },
    ],
  };
  const title = headline(r, now);
  return {
    text: truncate(
      `${title}: ${name(r.clientName, r.clientId)} (${r.clientId}), secret ${description(r.description)} (id ${r.secretId}), ${expired ? "expired" : "expires"} ${when}`,
      LIMITS.fallbackText,
    ),
    blocks: [header(`⏳ ${title}`), fields, advice, requestButton(r.clientId)],
  };
}

/** A secret that never expires, reported once: AVEVA advises against them. */
export function buildNeverExpiresFinding(f: NeverExpiresFinding): SlackMessage {
  const rotate: SectionBlock = {
    type: "section",
    block_id: "finding_advice",
    text: {
      type: "mrkdwn",
      text: [
        "This secret *never expires*. AVEVA advises against secrets without an expiration date: a leaked one stays valid until someone notices and deletes it.",
        `*To rotate it:* request a new secret with an expiration date (the button below, or \`${COMMAND} secret ${escapeMrkdwn(f.clientId)}\`), put it in the service that uses this client, then delete this secret in the ADH portal (Security › Clients › Hybrid Clients).`,
      ].join("\n"),
    },
  };
  return {
    text: truncate(
      `Finding: the client secret ${description(f.description)} (id ${f.secretId}) of ${name(f.clientName, f.clientId)} (${f.clientId}) never expires.`,
      LIMITS.fallbackText,
    ),
    blocks: [
      header("🔓 Finding: client secret never expires"),
      secretFields(f),
      rotate,
      requestButton(f.clientId),
    ],
  };
}
