// Escalation: a request still pending after ESCALATE_AFTER_MINUTES may also be decided by
// the ESCALATION_APPROVERS. Before that time they are outsiders like anyone else.

import type { Eligibility } from "./eligibility.js";
import type { RequestEngine } from "./engine.js";
import type { SlackPeoplePort } from "./ports.js";

export interface EscalationPolicy {
  /** Who the escalation approvers are (users and members of their groups). */
  people: Pick<SlackPeoplePort, "isApprover">;
  afterMs: number;
}

export class Escalation {
  constructor(
    private readonly engine: RequestEngine,
    private readonly eligibility: Eligibility,
    private readonly policy: EscalationPolicy | undefined,
  ) {}

  /** When a request created at `createdAt` escalates. */
  dueAt(createdAt: number): number | undefined {
    return this.policy ? createdAt + this.policy.afterMs : undefined;
  }

  /** An approver always; an escalation approver once the request has waited long enough. */
  async mayDecideOn(requestId: string, userId: string): Promise<boolean> {
    if (await this.eligibility.mayDecide(userId)) return true;
    if (!this.policy) return false;
    // createdAt never changes, so reading it outside the decision's compare-and-set is safe.
    const stored = await this.engine.store.get(requestId);
    const due = stored ? this.dueAt(stored.request.createdAt) : undefined;
    if (due === undefined || this.engine.now() < due) return false;
    return this.policy.people.isApprover(userId);
  }
}
