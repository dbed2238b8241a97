// `/hybrid-client audit [client-id]`: the newest audit events, one line each, dates in the
// reader's own time zone. Details are shown as recorded (they never hold a secret), escaped.
import type { KnownBlock } from "@slack/types";
import type { AuditReadOutcome } from "../../requests/audit-read.js";
import type { AuditActor, AuditEvent } from "../../store/audit-event.js";
import { context, finish, header, type SlackMessage, section } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { epochSeconds, isoFallback, slackDate } from "../kit/dates.js";
import { code, escapeMrkdwn, mention, truncateMrkdwn } from "../kit/mrkdwn.js";

const DETAIL_MAX = 300;

function actorText(actor: AuditActor): string {
  if (actor === "system") return "_the bot (timer)_";
  const adh = actor.adh ? ` (ADH user ${code(actor.adh, 60)})` : "";
  return actor.slack ? `${mention(actor.slack)}${adh}` : `ADH user ${code(actor.adh ?? "?", 60)}`;
}

function detailsText(event: AuditEvent): string {
  const parts = Object.entries(event.details ?? {})
    .filter(([key]) => key !== "kind" && key !== "status")
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value)}`);
  return parts.length > 0 ? escapeMrkdwn(parts.join(" · "), DETAIL_MAX) : "";
}

function eventLine(event: AuditEvent): string {
  const seconds = epochSeconds(Date.parse(event.at));
  const at = slackDate(seconds, isoFallback(seconds));
  const about = [
    event.requestId ? `request ${code(event.requestId, 40)}` : "",
    event.clientId ? `client ${code(event.clientId, 60)}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const details = detailsText(event);
  return truncateMrkdwn(
    `${at} · *${event.type}* by ${actorText(event.actor)}${about ? ` — ${about}` : ""}${details ? `\n${details}` : ""}`,
    2900,
  );
}

export function buildAuditMessage(events: AuditEvent[], clientId?: string): SlackMessage {
  const title = clientId ? `Audit trail of client ${clientId}` : "Audit trail";
  if (events.length === 0) {
    const text = clientId
      ? `No audit events about client ${code(clientId, 60)} yet.`
      : "No audit events yet.";
    return finish(text, [section(text)], []);
  }
  const body: KnownBlock[] = [
    header(title.slice(0, 150)),
    context(
      `The newest ${events.length} events, newest first. \`npm run audit -- export\` prints them all.`,
    ),
    ...events.map((e) => section(eventLine(e))),
  ];
  return finish(`${title}: ${events.length} events`, body, []);
}

export function auditRefusalText(
  refusal: Extract<AuditReadOutcome, { ok: false }>["code"],
): string {
  switch (refusal) {
    case "not-allowed":
      return "Only Tenant Administrators in AVEVA Data Hub and the bot's approvers can read the audit trail.";
    case "not-a-client-id":
      return `That is not a client Id. Usage: \`${COMMAND} audit [client-id]\`; \`${COMMAND} list\` shows the Ids.`;
    case "no-trail":
      return "The audit trail is not available on this instance.";
  }
}
