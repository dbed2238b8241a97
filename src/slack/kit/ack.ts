// After the 3 s ack: telling the person who clicked or typed, and turning a failure
// outside their control into what happened and what to do next, never a stack trace.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  RespondFn,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { Logger } from "pino";
import { AdhError } from "../../adh/errors.js";
import { isRedisUnavailable } from "../../store/redis.js";

export function friendlyFailure(error: unknown): string {
  if (isRedisUnavailable(error)) {
    return "The bot's storage is temporarily unavailable. Nothing was lost; try again in a minute.";
  }
  if (error instanceof AdhError) {
    return `AVEVA Data Hub did not answer as expected: ${error.describe()}. Nothing was lost; try again in a few minutes.`;
  }
  return "Something went wrong on the bot's side. Nothing was lost; try again in a minute, and tell the bot's operator if it keeps happening.";
}

/** One ephemeral line to the person who clicked or typed; never replaces their message. */
export async function tell(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: "ephemeral", replace_original: false, text });
}

/**
 * Runs work after the ack; a failure is logged with context and the user is told
 * what happened in plain words (the work itself must keep state consistent).
 */
export async function afterAck(
  ctx: { logger: Logger },
  what: string,
  respond: RespondFn | undefined,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    ctx.logger.error(
      { err: error instanceof Error ? error.message : String(error), what },
      "listener failed",
    );
    if (respond) await tell(respond, friendlyFailure(error)).catch(() => undefined);
  }
}

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * A button listener: acks first, then runs `handle` with the button's value (only ever an
 * id); a failure is logged and told to the clicker.
 */
export function onButton(
  app: App,
  ctx: { logger: Logger },
  actionId: string,
  handle: (args: ButtonArgs & { value: string }) => Promise<void>,
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async (args) => {
    await args.ack();
    const value = args.action.value ?? "";
    await afterAck(ctx, actionId, args.respond, () => handle({ ...args, value }));
  });
}
