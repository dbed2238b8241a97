// `/hybrid-client help` (and the answer to anything not understood).
import type { KnownBlock } from "@slack/types";
import { context, finish, type SlackMessage, section } from "./kit/blocks.js";
import { COMMAND } from "./kit/command.js";
import { code } from "./kit/mrkdwn.js";

/** Usage; with `unknown`, first says what was not understood. */
export function buildHelp(unknown?: string): SlackMessage {
  const usage = [
    `${code(`${COMMAND} add [name]`)} — request a new hybrid client (opens a form)`,
    `${code(`${COMMAND} secret <client-id>`)} — request a new secret for an existing client`,
    `${code(`${COMMAND} edit <client-id>`)} — change a client's settings (Edit Client)`,
    `${code(`${COMMAND} disable <client-id>`)} / ${code(`${COMMAND} enable <client-id>`)} — stop or allow new sign-ins`,
    `${code(`${COMMAND} delete <client-id>`)} — delete a client (type its name to confirm)`,
    `${code(`${COMMAND} delete-secret <client-id> <secret-id>`)} — delete one secret of a client`,
    `${code(`${COMMAND} list`)} — hybrid clients and when their secrets expire`,
    `${code(`${COMMAND} status`)} — your open requests`,
    `${code(`${COMMAND} audit [client-id]`)} — the last 20 audit events (administrators and approvers)`,
    `${code(`${COMMAND} help`)} — this help`,
  ].join("\n");
  const blocks: KnownBlock[] = [];
  let text = `Usage: ${code(`${COMMAND} add [name] | secret <client-id> | list | status | audit | help`)}`;
  if (unknown !== undefined) {
    const what = code(unknown.trim(), 200);
    const puzzled = what === "" ? "I didn't understand that." : `I didn't understand ${what}.`;
    blocks.push(section(puzzled));
    text = `${puzzled} ${text}`;
  }
  blocks.push(section(`*How to use ${COMMAND}*\n${usage}`));
  blocks.push(
    context(
      "Every request needs an approver's OK. The secret is shown once, only to you. ADH can take up to an hour to apply an update or delete to sign-ins.",
    ),
  );
  return finish(text, blocks, []);
}
