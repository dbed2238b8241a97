// `/hybrid-client list`: the tenant's hybrid clients with their secrets' expiry, soonest
// first, those within 30 days flagged and never-expiring ones called out. A tenant can
// hold 50,000 clients and a message 50 blocks, so the list shows the clients that need
// attention first and says plainly how many it left out.
import type { ContextBlock, HeaderBlock, KnownBlock, Overflow, SectionBlock } from "@slack/types";
import type { CatalogEntry } from "../../adh/client-catalog.js";
import { daysLeft, describeTimeLeft, expirationSeconds } from "../../reminders/thresholds.js";
import { CLIENT_MENU, CLIENT_MENU_ACTION } from "../ids.js";
import { type SlackMessage, section } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { dateAt } from "../kit/dates.js";
import { LIMITS, truncate } from "../kit/limits.js";
import { code, escapeMrkdwn, truncateMrkdwn } from "../kit/mrkdwn.js";

/** Secrets expiring within this many days are flagged ⚠️. */
export const SOON_DAYS = 30;
/** Client sections at most: 50 blocks less header, summary and the "more" note. */
export const MAX_LISTED_CLIENTS = 40;
/**
 * Characters of client sections per message at most. Slack documents no total, but very
 * large messages are refused or cut; this keeps the reply comfortably readable too.
 */
const MAX_TOTAL_TEXT = 24_000;
const NAME_MAX = 150;
const DESCRIPTION_MAX = 60;

interface SecretRow {
  id: number;
  description: string;
  /** Epoch s; null: never expires. */
  expiration: number | null;
}

interface ClientRow {
  client: CatalogEntry;
  secrets: SecretRow[];
  /** Soonest expiration of any secret; Infinity when none expires. */
  soonest: number;
}

const number = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`;

function toRow(client: CatalogEntry): ClientRow {
  const secrets = client.secrets
    .map((s) => ({
      id: s.id,
      description: s.description,
      expiration: safeExpiration(s.expiration),
    }))
    // Soonest first; never-expiring last.
    .sort((a, b) => (a.expiration ?? Infinity) - (b.expiration ?? Infinity) || a.id - b.id);
  return { client, secrets, soonest: secrets[0]?.expiration ?? Infinity };
}

function safeExpiration(iso: string | null): number | null {
  try {
    return expirationSeconds({ Expiration: iso, Expires: iso !== null });
  } catch {
    return null;
  }
}

function secretLine(s: SecretRow, now: number): string {
  const what = `${s.description.trim() === "" ? "_(no description)_" : escapeMrkdwn(s.description, DESCRIPTION_MAX)} (id ${s.id})`;
  if (s.expiration === null) return `• 🔓 ${what}: *never expires* (AVEVA advises against it)`;
  const left = describeTimeLeft(s.expiration, now);
  const flag = daysLeft(s.expiration, now) <= SOON_DAYS ? "⚠️ " : "";
  const verb = left === "expired" ? "expired" : "expires";
  return `• ${flag}${what}: ${verb} ${dateAt(s.expiration, "day")} (${left})`;
}

function clientSection(row: ClientRow, now: number, index: number): SectionBlock {
  const { client } = row;
  const title = `*${escapeMrkdwn(client.name.trim() === "" ? client.id : client.name, NAME_MAX)}*  ${code(client.id, 100)}`;
  const lines =
    row.secrets.length === 0 ? ["• _no secrets_"] : row.secrets.map((s) => secretLine(s, now));
  return {
    type: "section",
    block_id: `client_${index}`,
    accessory: clientMenu(client.id),
    text: {
      type: "mrkdwn",
      text: truncateMrkdwn([title, ...lines].join("\n"), LIMITS.sectionText),
    },
  };
}

/**
 * New secret, Edit, Disable, Enable, Delete: the same forms as the commands. Both Disable
 * and Enable are offered (the catalog does not carry the client's state); the form says
 * when there is nothing to do.
 */
function clientMenu(clientId: string): Overflow {
  const A = CLIENT_MENU_ACTION;
  const option = (label: string, action: string) => ({
    text: { type: "plain_text" as const, text: label },
    value: `${action}:${clientId}`,
  });
  return {
    type: "overflow",
    action_id: CLIENT_MENU,
    options: [
      option("New secret", A.newSecret),
      option("Edit", A.edit),
      option("Disable", A.disable),
      option("Enable", A.enable),
      option("Delete", A.delete),
    ],
  };
}

/**
 * The reply to `/hybrid-client list`. `now` is epoch ms. Clients whose secrets expire
 * soonest come first (then never-expiring ones, then clients without secrets); at most
 * MAX_LISTED_CLIENTS are shown and the rest are counted.
 */
export function buildClientList(
  clients: readonly CatalogEntry[],
  now: number,
  /** How many clients the tenant holds, when more than were read. */
  total = clients.length,
): SlackMessage {
  const nowSec = now / 1000;
  const rows = clients
    .map(toRow)
    .sort(
      (a, b) =>
        a.soonest - b.soonest ||
        Number(a.secrets.length === 0) - Number(b.secrets.length === 0) ||
        a.client.name.localeCompare(b.client.name),
    );

  const all = rows.flatMap((r) => r.secrets);
  const soon = all.filter(
    (s) =>
      s.expiration !== null && daysLeft(s.expiration, nowSec) <= SOON_DAYS && s.expiration > nowSec,
  ).length;
  const expired = all.filter((s) => s.expiration !== null && s.expiration <= nowSec).length;
  const never = all.filter((s) => s.expiration === null).length;

  const header: HeaderBlock = {
    type: "header",
    text: { type: "plain_text", text: "Hybrid clients" },
  };
  if (rows.length === 0) {
    const text = `No hybrid clients in this tenant yet. Create one with \`${COMMAND} add\`.`;
    return { text, blocks: [header, section(text, "summary")] };
  }

  const summaryParts = [
    plural(Math.max(total, rows.length), "client", "clients"),
    plural(all.length, "secret", "secrets"),
    `⚠️ ${number(soon)} expiring within ${SOON_DAYS} days`,
    `${number(expired)} expired`,
    `🔓 ${number(never)} never expiring`,
  ];
  const summary = summaryParts.join(" · ");

  const shown: SectionBlock[] = [];
  let budget = MAX_TOTAL_TEXT;
  for (const row of rows) {
    if (shown.length >= MAX_LISTED_CLIENTS) break;
    const block = clientSection(row, nowSec, shown.length);
    const size = block.text?.text.length ?? 0;
    if (size > budget) break;
    budget -= size;
    shown.push(block);
  }

  const blocks: KnownBlock[] = [header, section(summary, "summary"), ...shown];
  const hidden = Math.max(total, rows.length) - shown.length;
  if (hidden > 0) {
    const note: ContextBlock = {
      type: "context",
      block_id: "more",
      elements: [
        {
          type: "mrkdwn",
          text: `… and ${plural(hidden, "more client", "more clients")}; showing the ${number(shown.length)} whose secrets expire soonest.`,
        },
      ],
    };
    blocks.push(note);
  }
  return { text: truncate(`Hybrid clients: ${summary}`, LIMITS.fallbackText), blocks };
}
