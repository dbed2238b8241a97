// Decisions on a pending request: approve (the last approval needed starts the apply),
// deny, cancel (the requester), expire (time), and retry of a failed apply.
import type { Announcer } from "./announce.js";
import type { Apply } from "./apply.js";
import type { Eligibility } from "./eligibility.js";
import type { RequestEngine } from "./engine.js";
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
  ) {}

  async approve(requestId: string, approverId: string): Promise<ClickOutcome> {
    if (!(await this.eligibility.mayDecide(approverId))) return NOT_APPROVER;
    const { engine } = this;
    // Past expiresAt a request is expired, whether or not the expiry timer has run yet:
    // the same compare-and-set expires it instead of counting the approval.
    const outcome = await engine.change(requestId, (r) =>
      r.status === "pending" && r.expiresAt <= engine.now()
        ? machine.expire(r, engine.now())
        : machine.approve(r, approverId, {
            allowSelfApproval: this.policy.allowSelfApproval,
            now: engine.now(),
          }),
    );
    if (!outcome.ok) return outcome;
    if (outcome.request.status === "expired") {
      engine.audit("request.expired", outcome.request, "system");
      await this.announcer.announce(outcome.request, "expired");
      return { ok: false, refusal: { code: "already-decided", request: outcome.request } };
    }
    engine.audit("request.approved", outcome.request, approverId);
    await this.announcer.refreshSafely(requestId);
    if (outcome.request.status === "creating") this.apply.inBackground(outcome.request);
    return { ok: true };
  }

  async deny(requestId: string, userId: string, reason: string): Promise<ClickOutcome> {
    if (!(await this.eligibility.mayDecide(userId))) return NOT_APPROVER;
    const { engine } = this;
    const outcome = await engine.change(requestId, (r) =>
      machine.deny(r, userId, reason, engine.now()),
    );
    if (!outcome.ok) return outcome;
    engine.audit("request.denied", outcome.request, userId);
    await this.announcer.announce(outcome.request, "denied");
    return { ok: true };
  }

  async cancel(requestId: string, userId: string): Promise<ClickOutcome> {
    const { engine } = this;
    const outcome = await engine.change(requestId, (r) => machine.cancel(r, userId, engine.now()));
    if (!outcome.ok) return outcome;
    engine.audit("request.cancelled", outcome.request, userId);
    await this.announcer.refreshSafely(requestId);
    return { ok: true };
  }

  async retry(requestId: string, userId: string): Promise<ClickOutcome> {
    if (!(await this.eligibility.mayDecide(userId))) return NOT_APPROVER;
    const { engine } = this;
    const outcome = await engine.change(requestId, (r) => machine.retry(r, engine.now()));
    if (!outcome.ok) return outcome;
    engine.audit("request.retried", outcome.request, userId);
    await this.announcer.refreshSafely(requestId);
    this.apply.inBackground(outcome.request);
    return { ok: true };
  }

  /** Expires pending requests whose time is up. Safe to run on every replica. */
  async expireDue(): Promise<number> {
    const { engine } = this;
    let expired = 0;
    for (const id of await engine.store.expiredPendingIds(engine.now())) {
      const outcome = await engine.change(id, (r) => machine.expire(r, engine.now()));
      if (!outcome.ok) continue;
      expired++;
      engine.audit("request.expired", outcome.request, "system");
      await this.announcer.announce(outcome.request, "expired");
    }
    return expired;
  }
}
