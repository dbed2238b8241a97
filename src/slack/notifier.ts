// The workflow's NotifierPort on the Slack Web API: approval messages in the approvals
// channel, DMs to the requester. Only ids and non-secret request data pass through here.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { HybridClientRequest, MessageRef } from "../requests/model.js";
import type { NotifierPort, RequesterEvent } from "../requests/ports.js";
import {
  buildApprovalMessage,
  buildCreatedDm,
  buildRequesterReceipt,
  buildRequesterUpdate,
  buildRevealedDm,
} from "./messages.js";

export interface SlackNotifierOptions {
  client: WebClient;
  approvalChannel: string;
  approvalsRequired: number;
  logger: Logger;
  onApiError?: (method: string, error: string) => void;
}

export class SlackNotifier implements NotifierPort {
  constructor(private readonly o: SlackNotifierOptions) {}

  async postApproval(request: HybridClientRequest): Promise<MessageRef> {
    const message = buildApprovalMessage(request, { approvalsRequired: this.o.approvalsRequired });
    const res = await this.call("chat.postMessage", () =>
      this.o.client.chat.postMessage({
        channel: this.o.approvalChannel,
        ...message,
        unfurl_links: false,
      }),
    );
    return { channel: res.channel ?? this.o.approvalChannel, ts: res.ts ?? "" };
  }

  async updateApproval(request: HybridClientRequest): Promise<void> {
    const ref = request.approvalMessage;
    if (!ref) return;
    const message = buildApprovalMessage(request, { approvalsRequired: this.o.approvalsRequired });
    await this.call("chat.update", () =>
      this.o.client.chat.update({ channel: ref.channel, ts: ref.ts, ...message }),
    );
  }

  async tellRequester(request: HybridClientRequest, event: RequesterEvent): Promise<void> {
    const message =
      event === "submitted" ? buildRequesterReceipt(request) : buildRequesterUpdate(request);
    await this.call("chat.postMessage", () =>
      this.o.client.chat.postMessage({
        channel: request.requesterId,
        ...message,
        unfurl_links: false,
      }),
    );
  }

  async sendCreatedDm(request: HybridClientRequest): Promise<MessageRef> {
    const res = await this.call("chat.postMessage", () =>
      this.o.client.chat.postMessage({ channel: request.requesterId, ...buildCreatedDm(request) }),
    );
    // chat.update on a DM needs the D… id that postMessage answers with.
    return { channel: res.channel ?? request.requesterId, ts: res.ts ?? "" };
  }

  async updateDm(request: HybridClientRequest): Promise<void> {
    const dm = request.dm;
    if (!dm) return;
    const message =
      request.reveal === "revealed"
        ? buildRevealedDm(request, Math.floor((request.revealedAt ?? Date.now()) / 1000))
        : buildCreatedDm(request);
    await this.call("chat.update", () =>
      this.o.client.chat.update({ channel: dm.channel, ts: dm.ts, ...message }),
    );
  }

  private async call<T>(method: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code =
        (error as { data?: { error?: string }; code?: string }).data?.error ??
        (error as { code?: string }).code ??
        "unknown";
      this.o.onApiError?.(method, code);
      this.o.logger.warn({ method, error: code }, "Slack API call failed");
      throw error;
    }
  }
}
