// The one slash command, `/hybrid-client <word> …`. Each journey claims its words; one
// listener acks and routes, and anything unclaimed gets the help.
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from "@slack/bolt";
import type { SlackMessage } from "./blocks.js";
import type { CommandGate } from "./context.js";

export const COMMAND = "/hybrid-client";

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** A claimed word's handler: `rest` is the text after the word, trimmed. */
export type Subcommand = (args: CommandArgs & { rest: string }) => Promise<void>;

export class Subcommands {
  private readonly handlers = new Map<string, Subcommand>();

  /** Claims `word` (lower case) for one journey. */
  on(word: string, handler: Subcommand): void {
    if (this.handlers.has(word)) throw new Error(`${COMMAND} ${word} is claimed twice`);
    this.handlers.set(word, handler);
  }

  /** One listener for the command; `help` answers "", "help" and every unknown word. */
  register(app: App, help: (unknown?: string) => SlackMessage, gate?: CommandGate): void {
    app.command(COMMAND, async (args) => {
      if (gate && !(await allowed(gate, args))) return;
      const text = args.command.text.trim();
      const [word = ""] = text.split(/\s+/);
      const handler = this.handlers.get(word.toLowerCase());
      if (handler) {
        await handler({ ...args, rest: text.slice(word.length).trim() });
        return;
      }
      const unknown = word === "" || word.toLowerCase() === "help" ? undefined : text;
      await args.ack({ response_type: "ephemeral", ...help(unknown) });
    });
  }
}

/**
 * The per-user cooldown: one Redis call before the ack. Over the limit the command is
 * answered politely and does nothing; Redis failing lets the command through (the
 * command then reports the storage problem itself).
 */
async function allowed(gate: CommandGate, args: CommandArgs): Promise<boolean> {
  const verdict = await gate.take(args.command.user_id).catch(() => ({ ok: true }) as const);
  if (verdict.ok) return true;
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  await args.ack({
    response_type: "ephemeral",
    text: `You have sent ${verdict.limit} commands in the last ${Math.round(gate.windowMs / 1000)} seconds, which is as many as the bot takes from one person. Nothing was done; please try again in ${seconds} second${seconds === 1 ? "" : "s"}.`,
  });
  return false;
}
