// Showing a request's new state: the approvals message (always the latest state, even
// when updates land out of order) and, for outcomes, a word to the requester.
import type { RequestEngine } from "./engine.js";
import type { HybridClientRequest } from "./model.js";
import { type NotifierPort, type RequesterEvent, TryAgainLater } from "./ports.js";

export class Announcer {
  constructor(
    private readonly engine: RequestEngine,
    private readonly notifier: NotifierPort,
  ) {}

  /** Refreshes the approvals message and tells the requester (Slack failures are logged). */
  async announce(request: HybridClientRequest, event: Exclude<RequesterEvent, "submitted">) {
    await this.refreshSafely(request.id);
    // "created" needs no second message: the Reveal DM itself tells the requester.
    if (event === "created") return;
    await this.engine.safely("tell requester", () => this.notifier.tellRequester(request, event));
  }

  refreshSafely(requestId: string): Promise<void> {
    return this.engine.safely("update approval message", () => this.refreshApproval(requestId));
  }

  /**
   * Shows the stored state on the approvals message. Updates from two clicks (or a 429
   * retried later with its old arguments) can land out of order, so whoever finishes an
   * update reads the request again and renders once more if what it shows has changed:
   * the last update to land then always shows the latest state.
   */
  private async refreshApproval(requestId: string): Promise<void> {
    let rendered: string | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.engine.withStorageRetries(() => this.engine.store.get(requestId));
      if (!current || shownOnApproval(current.request) === rendered) return;
      try {
        await this.notifier.updateApproval(current.request);
        rendered = shownOnApproval(current.request);
      } catch (error) {
        // Not shown: wait as asked, then render whatever is latest by then.
        if (!(error instanceof TryAgainLater)) throw error;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
  }
}

/** What the approvals message shows of a request (lease renewals and refs change nothing). */
function shownOnApproval(r: HybridClientRequest): string {
  return JSON.stringify([r.status, r.approvals, r.denial ?? null, r.error ?? null]);
}
