// `/hybrid-client status`, the part after the open requests: created clients (and approved
// secrets) whose secret the requester has not revealed, with the Reveal button's deadline,
// or, once it passed, that the request must be made again.
import type { KnownBlock } from "@slack/types";
import type { HybridClientRequest } from "../../requests/model.js";
import { revealDeadline } from "../../requests/reveal.js";
import { type SlackMessage, section } from "../kit/blocks.js";
import { COMMAND } from "../kit/command.js";
import { when } from "../kit/dates.js";
import { code } from "../kit/mrkdwn.js";
import { clientName, kindWord } from "../request-card/details.js";

function line(r: HybridClientRequest, now: number): string {
  const deadline = revealDeadline(r);
  const state =
    now > deadline
      ? `🔒 Secret never revealed; the Reveal button expired ${when(deadline)}. Make the request again: ${code(`${COMMAND} secret ${r.clientId}`)}`
      : `🔑 Secret not revealed yet: press *Reveal secret* in your DM before ${when(deadline)}`;
  return `${clientName(r)} · ${kindWord(r)} · Client Id ${code(r.clientId)}\n${state}`;
}

/** The status message with the unrevealed requests added after the open ones. */
export function withUnrevealed(
  status: SlackMessage,
  unrevealed: readonly HybridClientRequest[],
  now: number,
): SlackMessage {
  if (unrevealed.length === 0) return status;
  const blocks: KnownBlock[] = [
    section("*Secrets waiting to be revealed*", "unrevealed-head"),
    ...unrevealed.slice(0, 20).map((r, i) => section(line(r, now), `unrevealed:${i}`)),
  ];
  return { ...status, blocks: [...status.blocks, ...blocks].slice(0, 50) };
}
