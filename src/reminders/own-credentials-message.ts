// The words of a reminder about the bot's own ADH secret. Unlike a hybrid client's there
// is nothing to request through the bot: an administrator rotates it (README, "Rotating
// the bot's credentials"), so the message says how instead of offering a button.
import type { KnownBlock, SectionBlock } from "@slack/types";
import { describeTimeLeft } from "./thresholds.js";

export interface OwnSecretMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface OwnSecretReminder {
  clientId: string;
  secretId: number;
  description: string;
  /** Epoch seconds; null: never expires. */
  expiration: number | null;
  daysLeft: number | null;
}

const ROTATE =
  "Rotate it without downtime: in the ADH portal (Security > Clients > Client Credentials > this client) add a second secret, set ADH_CLIENT_SECRET to it and restart the bot, then delete the old secret. See the README, “Rotating the bot's credentials”.";

const isoDate = (epoch: number) => new Date(epoch * 1000).toISOString().slice(0, 10);

function section(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

export function buildOwnSecretReminder(r: OwnSecretReminder): OwnSecretMessage {
  const expiration = r.expiration ?? 0;
  const now = expiration - (r.daysLeft ?? 0) * 86_400;
  const left = describeTimeLeft(expiration, now);
  const headline =
    left === "expired"
      ? "The bot's own ADH secret has expired: the bot cannot reach ADH with it"
      : `The bot's own ADH secret ${left === "expires today" ? "expires today" : `expires in ${left.replace(" left", "")}`}`;
  const what = `Client \`${r.clientId}\` (ADH_CLIENT_ID), secret id ${r.secretId}${r.description ? ` (${r.description})` : ""}, ${left === "expired" ? "expired" : "expires"} ${isoDate(expiration)}.`;
  return {
    text: `${headline}. ${what}`,
    blocks: [section(`:warning: *${headline}*`), section(what), section(ROTATE)],
  };
}

export function buildOwnSecretFinding(r: OwnSecretReminder): OwnSecretMessage {
  const text = `The bot's own ADH secret (client \`${r.clientId}\`, secret id ${r.secretId}) never expires. AVEVA advises secrets that expire; rotate it to one that does.`;
  return { text, blocks: [section(text), section(ROTATE)] };
}
