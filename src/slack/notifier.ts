// The workflow's NotifierPort on the Slack Web API: approval messages in the approvals
// channel, DMs to the requester. Only ids and non-secret request data pass through here.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { HybridClientRequest, MessageRef } from "../requests/model.js";
import { type NotifierPort, type RequesterEvent, TryAgainLater } from "../requests/ports.js";
import type { DmThreadStore } from "../store/dm-threads.js";
import { buildApprovalMessage } from "./approval/message.js";
import { buildRequesterReceipt, buildRequesterUpdate } from "./requester/messages.js";
import { buildCreatedDm, buildRevealedDm } from "./reveal/messages.js";
import { buildRetireReminder } from "./reveal/retire-messages.js";

export interface SlackNotifierOptions {
  client: WebClient;
  /**
   * For approvals-message updates only: a client that neither retries nor waits out a
   * 429 by itself (the SDK would replay the old message later, over a newer one).
   */
  updateClient?: WebClient;
  approvalChannel: string;
  approvalsRequired: number;
  logger: Logger;
  onApiError?: (method: string, error: string) => void;
  /** The clock for a reveal time the request lacks (tests pass a fixed one). */
  now?: () => number;
  /** Keeps every DM about one request in one thread (the receipt is its root). */
  dmThreads?: DmThreadStore;
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
    const client = this.o.updateClient ?? this.o.client;
    try {
      await this.call("chat.update", () =>
        client.chat.update({ channel: ref.channel, ts: ref.ts, ...message }),
      );
    } catch (error) {
      const retryAfterMs = transientDelayMs(error);
      if (retryAfterMs === undefined) throw error;
      throw new TryAgainLater(retryAfterMs);
    }
  }

  async tellRequester(request: HybridClientRequest, event: RequesterEvent): Promise<void> {
    const message =
      event === "submitted" ? buildRequesterReceipt(request) : buildRequesterUpdate(request, event);
    const root = event === "submitted" ? null : await this.dmThreadOf(request);
    const res = await this.call("chat.postMessage", () =>
      this.o.client.chat.postMessage({
        channel: request.requesterId,
        ...message,
        ...(root ? { thread_ts: root.ts } : {}),
        unfurl_links: false,
      }),
    );
    if (event === "submitted" && res.ts && res.channel) {
      const ref = { channel: res.channel, ts: res.ts };
      await this.o.dmThreads?.remember(request.id, ref).catch((error: unknown) => {
        this.o.logger.warn({ err: String(error) }, "DM thread not remembered");
      });
    }
  }

  /** The request's DM thread; none (a new conversation) when it cannot be read. */
  private async dmThreadOf(request: HybridClientRequest): Promise<MessageRef | null> {
    if (!this.o.dmThreads) return null;
    return this.o.dmThreads.rootOf(request.id).catch(() => null);
  }

  async sendCreatedDm(request: HybridClientRequest): Promise<MessageRef> {
    // In the request's DM thread, and broadcast: the Reveal button must not hide in a thread.
    const root = await this.dmThreadOf(request);
    const dm = buildCreatedDm(request);
    const res = await this.call("chat.postMessage", () =>
      root
        ? this.o.client.chat.postMessage({
            channel: request.requesterId,
            ...dm,
            thread_ts: root.ts,
            reply_broadcast: true,
          })
        : this.o.client.chat.postMessage({ channel: request.requesterId, ...dm }),
    );
    // chat.update on a DM needs the D… id that postMessage answers with.
    return { channel: res.channel ?? request.requesterId, ts: res.ts ?? "" };
  }

  async updateDm(request: HybridClientRequest): Promise<void> {
    const dm = request.dm;
    if (!dm) return;
    const message =
      request.reveal === "revealed"
        ? buildRevealedDm(
            request,
            Math.floor((request.revealedAt ?? (this.o.now ?? Date.now)()) / 1000),
          )
        : buildCreatedDm(request);
    await this.call("chat.update", () =>
      this.o.client.chat.update({ channel: dm.channel, ts: dm.ts, ...message }),
    );
  }

  /** Delete old secret unused for 7 days: one reply in the DM's thread (issue 11 item 5). */
  async remindRetire(request: HybridClientRequest): Promise<void> {
    const dm = request.dm;
    if (!dm) return;
    await this.call("chat.postMessage", () =>
      this.o.client.chat.postMessage({
        channel: dm.channel,
        thread_ts: dm.ts,
        ...buildRetireReminder(request),
      }),
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

/** How long to wait before trying a failed Web API call again; undefined: do not. */
function transientDelayMs(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number };
  if (e.code === "slack_webapi_rate_limited_error") return (e.retryAfter ?? 1) * 1000;
  if (e.code === "slack_webapi_request_error") return 500; // no answer: network, timeout
  if (e.code === "slack_webapi_http_error" && (e.statusCode ?? 0) >= 500) return 500;
  return undefined;
}
