// Decisions on a pending request: approve (the last approval needed starts the apply),
// deny, cancel (the requester), expire (time), and retry of a failed apply.
import type { Announcer } from "./announce.js";
import type { Apply } from "./apply.js";
import type { Eligibility } from "./eligibility.js";
import type { RequestEngine } from "./engine.js";
import type { Escalation } from "./escalation.js";
import type { HybridClientRequest } from "./model.js";
import type { ClickOutcome } from "./outcomes.js";
import * as machine from "./state-machine.js";

const NOT_APPROVER: ClickOutcome = { ok: false, refusal: { code: "not-approver" } };

export class Decide {
  constructor(
    private readonly engine: RequestEngine,
    private readonly eligibility: Eligibility,
    private readonly announcer: Announcer,
    private readonly apply: Apply,
    private readonly policy: { allowSelfApproval: boolean },
    private readonly escalation?: Escalation,
  ) {}

  /** Approvers, and escalation approvers once the request has escalated. */
  private mayDecideOn(requestId: string, userId: string): Promise<boolean> {
    if (this.escalation) return this.escalation.mayDecideOn(requestId, userId);
    return this.eligibility.mayDecide(userId);
  }

  async approve(requestId: string, approverId: string): Promise<ClickOutcome> {
    if (!(await this.mayDecideOn(requestId, approverId))) return NOT_APPROVER;
    const { engine } = this;
    // Past expiresAt a request is expired, whether or not the expiry timer has run yet:
    // the approval is not counted, and the request is expired instead (with its event).
    const pastExpiry = (r: HybridClientRequest) =>
      r.status === "pending" && r.expiresAt <= engine.now();
    const outcome = await engine.transition(
      requestId,
      (r) =>
        pastExpiry(r)
          ? { next: null }
          : machine.approve(r, approverId, {
              allowSelfApproval: this.policy.allowSelfApproval,
              now: engine.now(),
            }),
      {
        type: "request.approved",
        actor: approverId,
        details: (r) => ({ approvals: r.approvals.length, approvalsRequired: r.approvalsRequired }),
      },
    );
    if (!outcome.ok && outcome.refusal.code === "nothing-changed") {
      const expired = await engine.transition(
        requestId,
        (r) => (pastExpiry(r) ? machine.expire(r, engine.now()) : { next: null }),
        { type: "request.expired", actor: "system" },
      );
      if (expired.ok) {
        await this.announcer.announce(expired.request, "expired");
        return { ok: false, refusal: { code: "already-decided", request: expired.request } };
      }
    }
    if (!outcome.ok) return outcome;
    await this.announcer.refreshSafely(requestId);
    if (outcome.request.status === "creating") this.apply.inBackground(outcome.request);
    return { ok: true };
  }

  async deny(requestId: string, userId: string, reason: string): Promise<ClickOutcome> {
    if (!(await this.mayDecideOn(requestId, userId))) return NOT_APPROVER;
    const { engine } = this;
    const outcome = await engine.transition(
      requestId,
      (r) => machine.deny(r, userId, reason, engine.now()),
      {
        type: "request.denied",
        actor: userId,
        details: (r) => ({ reason: r.denial?.reason ?? "" }),
      },
    );
    if (!outcome.ok) return outcome;
    await this.announcer.announce(outcome.request, "denied");
    return { ok: true };
  }

  async cancel(requestId: string, userId: string): Promise<ClickOutcome> {
    const { engine } = this;
    const outcome = await engine.transition(
      requestId,
      (r) => machine.cancel(r, userId, engine.now()),
      { type: "request.cancelled", actor: userId },
    );
    if (!outcome.ok) return outcome;
    await this.announcer.refreshSafely(requestId);
    return { ok: true };
  }

  async retry(requestId: string, userId: string): Promise<ClickOutcome> {
    if (!(await this.mayDecideOn(requestId, userId))) return NOT_APPROVER;
    const { engine } = this;
    const outcome = await engine.transition(requestId, (r) => machine.retry(r, engine.now()), {
      type: "request.retried",
      actor: userId,
    });
    if (!outcome.ok) return outcome;
    await this.announcer.refreshSafely(requestId);
    this.apply.inBackground(outcome.request);
    return { ok: true };
  }

  /** Expires pending requests whose time is up. Safe to run on every replica. */
  async expireDue(): Promise<number> {
    const { engine } = this;
    let expired = 0;
    for (const id of await engine.store.expiredPendingIds(engine.now())) {
      const outcome = await engine.transition(id, (r) => machine.expire(r, engine.now()), {
        type: "request.expired",
        actor: "system",
      });
      if (!outcome.ok) continue;
      expired++;
      await this.announcer.announce(outcome.request, "expired");
    }
    return expired;
  }
}
