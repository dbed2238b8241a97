// The requester's DM with the one-time Reveal button, the same DM once revealed, and
// the ephemeral answer to the click: the only message that ever holds a secret.
import type { Button, KnownBlock } from "@slack/types";
import { type HybridClientRequest, KIND } from "../../requests/model.js";
import type { RequesterRefusal } from "../../requests/outcomes.js";
import { REVEAL_DEADLINE_MS } from "../../requests/reveal.js";
import { REVEAL } from "../ids.js";
import {
  actions,
  context,
  type EphemeralResponse,
  finish,
  header,
  plain,
  preformatted,
  type SlackMessage,
  section,
} from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { expiry, when } from "../kit/dates.js";
import { LIMITS } from "../kit/limits.js";
import { code, escapeMrkdwn, truncateMrkdwn } from "../kit/mrkdwn.js";
import { clientName, NAME_MAX, requestDetails, version } from "../request-card/details.js";
import { requesterRefusalText } from "../request-card/failures.js";
import { retireBlocks, retireFooter, retireTag } from "./retire-messages.js";

/** The DM after approval: Client Id, settings and the one-time Reveal secret button. */
export function buildCreatedDm(request: HybridClientRequest): SlackMessage {
  const r = request;
  const done =
    r.kind === KIND.rotation
      ? `New secret approved for client ${clientName(r)}.`
      : `Hybrid client ${clientName(r)} was created in AVEVA Data Hub.`;
  const body: KnownBlock[] = [
    header(r.kind === KIND.rotation ? "New secret approved" : "Client created", "head"),
    section(done, "done"),
    ...requestDetails(r, "details"),
    section(
      "The secret can be revealed *once*, only to you. Press *Reveal secret* when you are ready to copy it somewhere safe.",
      "once",
    ),
  ];
  const reveal: Button = {
    type: "button",
    action_id: REVEAL,
    text: plain("Reveal secret"),
    style: "primary",
    value: r.id,
  };
  return finish(done, body, [actions([reveal], "actions")], `${r.reveal}:${version(r)}`);
}

/** The same DM once the secret was shown: no button, and how to get another one. */
export function buildRevealedDm(
  request: HybridClientRequest,
  revealedAtEpochSeconds: number,
): SlackMessage {
  const r = request;
  const revealed = `🔒 Secret revealed at ${when(revealedAtEpochSeconds)}. It cannot be shown again.`;
  const body: KnownBlock[] = [
    header(r.kind === KIND.rotation ? "New secret approved" : "Client created", "head"),
    section(
      r.kind === KIND.rotation
        ? `New secret for client ${clientName(r)}.`
        : `Hybrid client ${clientName(r)} was created in AVEVA Data Hub.`,
      "done",
    ),
    ...requestDetails(r, "details"),
    section(revealed, "revealed"),
    ...retireBlocks(r),
    context(`Need another secret? Type ${code(`${COMMAND} secret ${r.clientId}`)}`, "again"),
  ];
  return finish(
    revealed,
    body,
    retireFooter(r),
    `revealed:${Math.floor(revealedAtEpochSeconds)}:${version(r)}${retireTag(r)}`,
  );
}

/**
 * The one message that holds a secret: the answer to the Reveal click, through its
 * response_url, so it is shown once to the clicker and stored nowhere. The secret goes in a
 * rich-text preformatted block (copied exactly, no escaping) and never into `text`.
 */
export function buildSecretReveal(args: {
  clientId: string;
  clientName: string;
  secret: string;
  expiration: string | null;
}): EphemeralResponse {
  const name = `*${escapeMrkdwn(args.clientName, NAME_MAX)}*`;
  const warning = "⚠️ Copy the client secret now. It cannot be shown again.";
  const blocks: KnownBlock[] = [
    header("Client secret"),
    section(`Hybrid client ${name}`),
    section("*Client Id*"),
    preformatted(args.clientId),
    section("*Client Secret*"),
    preformatted(args.secret),
    section(
      `${warning}\n${args.expiration === null ? "This secret never expires." : `It expires ${expiry(args.expiration)}.`}`,
    ),
  ];
  return {
    response_type: "ephemeral",
    replace_original: false,
    text: truncateMrkdwn(`Client secret for ${name}. ${warning}`, LIMITS.fallbackText),
    blocks,
  };
}

/** Minting failed: nothing was revealed, and the button still works. */
export function mintFailedText(problem: string): string {
  return `The secret could not be created: ${problem}. Nothing was revealed; click Reveal secret again to retry.`;
}

/** The requester no longer passes the role check at Reveal: nothing was minted. */
export function revealRefusedText(refusal: RequesterRefusal): string {
  if (refusal.code === "adh-unavailable") {
    return `AVEVA Data Hub could not be reached to check your Tenant Administrator role (${refusal.detail}). No secret was created; click Reveal secret again in a few minutes.`;
  }
  return `No secret was created: revealing a secret needs the Tenant Administrator role in AVEVA Data Hub, checked again at this click. ${requesterRefusalText(refusal)}`;
}

/** The Reveal button's 7 days are over: nothing was minted; request again. */
export function revealExpiredText(at: { clientId: string; deadline: number }): string {
  return `This Reveal secret button expired ${when(at.deadline)} (it works for ${REVEAL_DEADLINE_MS / 86_400_000} days after approval). No secret was created. To get a secret for this client, make the request again: ${code(`${COMMAND} secret ${at.clientId}`)}.`;
}
