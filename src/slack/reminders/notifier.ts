// The reminders engine's notifier on the Slack Web API: posts what messages.ts builds.
import type { KnownBlock } from "@slack/types";
import type { DueReminder, NeverExpiresFinding, ReminderNotifier } from "../../reminders/ports.js";
import type { SlackMessage } from "../kit/blocks.js";
import { buildNeverExpiresFinding, buildReminderMessage } from "./messages.js";

/** The part of @slack/web-api's WebClient this needs (tests pass a recorder or the fake Slack). */
export interface ChatPoster {
  chat: {
    postMessage(args: {
      channel: string;
      text: string;
      blocks: KnownBlock[];
      unfurl_links?: boolean;
    }): Promise<{ ok?: boolean; error?: string }>;
  };
}

/** The reminders engine's notifier on the Slack Web API. Throws when Slack refuses. */
export class SlackReminderNotifier implements ReminderNotifier {
  constructor(private readonly client: ChatPoster) {}

  async postReminder(channel: string, reminder: DueReminder): Promise<void> {
    await this.post(channel, buildReminderMessage(reminder));
  }

  async postNeverExpiresFinding(channel: string, finding: NeverExpiresFinding): Promise<void> {
    await this.post(channel, buildNeverExpiresFinding(finding));
  }

  private async post(channel: string, message: SlackMessage): Promise<void> {
    // WebClient throws on ok:false itself; a bare poster might not.
    const res = await this.client.chat.postMessage({ channel, ...message, unfurl_links: false });
    if (res.ok === false)
      throw new Error(`chat.postMessage failed: ${res.error ?? "unknown error"}`);
  }
}
