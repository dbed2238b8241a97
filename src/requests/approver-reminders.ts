// Approver reminders: a pending request's thread gets a reply mentioning the approvers
// who have not voted, every APPROVAL_REMINDER_MINUTES up to APPROVAL_REMINDERS_MAX times,
// and once after ESCALATE_AFTER_MINUTES a reply mentioning the escalation approvers.
// The store hands each notice to one replica; a decided request gets none.
import type { ApproverReminderStore, DueNotice } from "../store/approver-reminders.js";
import { auditEventId } from "../store/audit-event.js";
import type { RequestEngine } from "./engine.js";
import type { HybridClientRequest } from "./model.js";
import type { ApprovalThreadPort, Mentions } from "./people-ports.js";

/** A notice whose post failed is tried again after this long. */
const RETRY_AFTER_MS = 60_000;

export interface ReminderAudience {
  approvers: Mentions;
  escalation: Mentions;
  allowSelfApproval: boolean;
}

export class ApproverReminders {
  constructor(
    private readonly engine: RequestEngine,
    private readonly store: ApproverReminderStore,
    private readonly thread: ApprovalThreadPort,
    private readonly audience: ReminderAudience,
  ) {
    engine.afterChange((event, request) => {
      if (event === "request.submitted") {
        engine.track(this.store.plan(request.id, request.createdAt));
      } else if (request.status !== "pending") {
        engine.track(this.store.forget(request.id));
      }
    });
  }

  /** Sends what is due now. Safe on every replica: each notice is claimed once. */
  async sendDue(): Promise<number> {
    let sent = 0;
    for (const notice of await this.store.claimDue(this.engine.now())) {
      if (await this.send(notice)) sent++;
    }
    return sent;
  }

  private async send(notice: DueNotice): Promise<boolean> {
    const stored = await this.engine.store.get(notice.requestId);
    const request = stored?.request;
    if (request?.status !== "pending" || !request.approvalMessage) {
      await this.store.forget(notice.requestId);
      return false;
    }
    try {
      if (notice.kind === "escalate") {
        await this.thread.postEscalation(request, this.audience.escalation);
      } else {
        await this.thread.postReminder(request, this.notVoted(request), notice.n);
      }
      // A fact in Slack, not a transition: its own audit event, one per notice.
      const type = notice.kind === "escalate" ? "request.escalated" : "approvers.reminded";
      await this.engine.record({
        id: auditEventId(request.id, type, notice.n),
        type,
        actor: "system",
        request,
        details: { n: notice.n },
      });
      return true;
    } catch (error) {
      this.engine.logger.warn(
        { requestId: request.id, err: error instanceof Error ? error.message : String(error) },
        "approver reminder not sent; will try again",
      );
      await this.store.putBack(notice, this.engine.now() + RETRY_AFTER_MS);
      return false;
    }
  }

  /** Approvers who have not voted; groups are mentioned as groups (members are not known here). */
  notVoted(r: HybridClientRequest): Mentions {
    const voted = new Set(r.approvals.map((a) => a.userId));
    if (!this.audience.allowSelfApproval) voted.add(r.requesterId);
    return {
      users: this.audience.approvers.users.filter((u) => !voted.has(u)),
      groups: this.audience.approvers.groups,
    };
  }
}
