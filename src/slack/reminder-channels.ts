// Whether the bot can post reminders to a channel, asked of Slack (conversations.info) when
// a new client's request is submitted: a person or DM is not a channel, and a private
// channel the bot is not in answers channel_not_found.
import type { WebClient } from "@slack/web-api";
import type { ReminderChannelPort } from "../requests/ports.js";
import { isChannelId } from "./kit/mrkdwn.js";

export class SlackReminderChannels implements ReminderChannelPort {
  constructor(private readonly client: WebClient) {}

  async problemWith(
    channelId: string,
  ): Promise<"not-found" | "not-a-channel" | "not-member" | null> {
    if (!isChannelId(channelId) || channelId.startsWith("D")) return "not-a-channel";
    try {
      const info = await this.client.conversations.info({ channel: channelId });
      const c = info.channel;
      if (!c) return "not-found";
      if (c.is_im || c.is_mpim) return "not-a-channel";
      if (c.is_archived) return "not-found";
      if (c.is_private && !c.is_member) return "not-member";
      return null;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === "channel_not_found") return "not-found";
      // Slack being unsure (rate limits, outages) must not block a request.
      return null;
    }
  }
}
