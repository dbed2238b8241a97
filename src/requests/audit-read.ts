// Reading the audit trail from Slack: `/hybrid-client audit [client-id]`. Tenant
// Administrators (checked in ADH) and approvers may read it; anyone else is refused.
import type { AuditEvent } from "../store/audit-event.js";
import type { Eligibility } from "./eligibility.js";
import type { RequestEngine } from "./engine.js";
import { isClientId } from "./rotation.js";

/** How many events one answer shows. */
export const AUDIT_SHOWN = 20;

export type AuditReadOutcome =
  | { ok: true; events: AuditEvent[] }
  | { ok: false; code: "not-allowed" | "not-a-client-id" | "no-trail" };

export class AuditRead {
  constructor(
    private readonly engine: RequestEngine,
    private readonly eligibility: Eligibility,
  ) {}

  /** The newest events, newest first, optionally about one client. */
  async latest(userId: string, clientId?: string): Promise<AuditReadOutcome> {
    if (clientId !== undefined && !isClientId(clientId)) {
      return { ok: false, code: "not-a-client-id" };
    }
    // Approvers first: a Slack lookup, cheaper than ADH's role check.
    const allowed =
      (await this.eligibility.mayDecide(userId)) || (await this.eligibility.check(userId)).ok;
    if (!allowed) return { ok: false, code: "not-allowed" };
    const trail = this.engine.trail;
    if (!trail) return { ok: false, code: "no-trail" };
    return { ok: true, events: await trail.latest(AUDIT_SHOWN, clientId) };
  }
}
