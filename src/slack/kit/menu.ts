// An overflow menu shared by journeys (the `list` message's per-client menu): each
// journey claims the choices it handles, so one action id reaches the right journey
// without one journey importing another. Only the claiming listener acks.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  OverflowAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { Logger } from "pino";
import { afterAck } from "./ack.js";

export type MenuArgs = SlackActionMiddlewareArgs<BlockAction<OverflowAction>> & AllMiddlewareArgs;

/** Splits an option value `<action>:<rest>`. */
export function menuChoice(value: string | undefined): { action: string; target: string } {
  const text = value ?? "";
  const at = text.indexOf(":");
  return at < 0
    ? { action: text, target: "" }
    : { action: text.slice(0, at), target: text.slice(at + 1) };
}

export function onMenuChoice(
  app: App,
  ctx: { logger: Logger },
  actionId: string,
  actions: readonly string[],
  handle: (args: MenuArgs, choice: { action: string; target: string }) => Promise<void>,
): void {
  app.action<BlockAction<OverflowAction>>(
    { action_id: actionId, type: "block_actions" },
    async (args) => {
      const choice = menuChoice(args.action.selected_option?.value);
      if (!actions.includes(choice.action)) return;
      await args.ack();
      await afterAck(ctx, `${actionId} ${choice.action}`, args.respond, () => handle(args, choice));
    },
  );
}
