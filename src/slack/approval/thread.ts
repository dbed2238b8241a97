// Replies in the approvals message's thread: the vote history, approver reminders and the
// escalation. Plain text messages; mentions are built only from validated ids.
import type { WebClient } from "@slack/web-api";
import type { HybridClientRequest } from "../../requests/model.js";
import type { ApprovalThreadPort, Mentions, Vote } from "../../requests/people-ports.js";
import { when } from "../kit/dates.js";
import { escapeMrkdwn, mention } from "../kit/mrkdwn.js";

const GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** `<@U…>` for users and `<!subteam^S…>` for user groups. */
export function mentionAll(m: Mentions): string {
  const groups = m.groups.filter((g) => GROUP_ID.test(g)).map((g) => `<!subteam^${g}>`);
  return [...m.users.map(mention), ...groups].join(" ");
}

export function voteText(vote: Vote): string {
  if (vote.kind === "approved") {
    return `Approved by ${mention(vote.userId)} (${vote.count} of ${vote.required}) · ${when(vote.at)}`;
  }
  const reason = vote.reason.trim()
    ? `: ${escapeMrkdwn(vote.reason, 2_000)}`
    : " (no reason given)";
  return `Denied by ${mention(vote.userId)}${reason} · ${when(vote.at)}`;
}

export function reminderText(mentions: Mentions, n: number): string {
  const who = mentionAll(mentions) || "Approvers";
  return `${who}: this request is still waiting for your approval (reminder ${n}).`;
}

export function escalationText(mentions: Mentions): string {
  const who = mentionAll(mentions) || "Escalation approvers";
  return `${who}: this request has waited too long for approval. You may now approve or deny it.`;
}

export class SlackApprovalThread implements ApprovalThreadPort {
  constructor(private readonly client: WebClient) {}

  postVote(request: HybridClientRequest, vote: Vote): Promise<void> {
    return this.reply(request, voteText(vote));
  }

  postReminder(request: HybridClientRequest, mentions: Mentions, n: number): Promise<void> {
    return this.reply(request, reminderText(mentions, n));
  }

  postEscalation(request: HybridClientRequest, mentions: Mentions): Promise<void> {
    return this.reply(request, escalationText(mentions));
  }

  private async reply(request: HybridClientRequest, text: string): Promise<void> {
    const ref = request.approvalMessage;
    if (!ref) return;
    await this.client.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      text,
      unfurl_links: false,
    });
  }
}
