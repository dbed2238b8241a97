// The one slash command, `/hybrid-client <word> …`. Each journey claims its words; one
// listener acks and routes, and anything unclaimed gets the help.
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from "@slack/bolt";
import type { SlackMessage } from "./blocks.js";

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
  register(app: App, help: (unknown?: string) => SlackMessage): void {
    app.command(COMMAND, async (args) => {
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
