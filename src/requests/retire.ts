// Rotation that retires the old secret (issue 11 item 5): the Replace secret choices, the
// requester's one Delete old secret press after the reveal (no further approval), the
// deletion-first applier for a client at ADH's limit, and the once-only 7-day reminder.
import { auditEventId } from "../store/audit-event.js";
import type { RetirementStore } from "../store/retirements.js";
import { describeError, type RequestEngine } from "./engine.js";
import {
  type HybridClientRequest,
  KIND,
  type RotationRequest,
  type SecretTarget,
} from "./model.js";
import type { AdhPort, NotifierPort, SecretTrackerPort } from "./ports.js";

/** The reminder comes this long after the reveal if Delete old secret was not pressed. */
export const RETIRE_REMINDER_MS = 7 * 24 * 3_600_000;
/** How long one press holds the claim while ADH deletes. */
const CLAIM_LEASE_MS = 120_000;

export type RetireRefusal =
  | { code: "not-found" }
  | { code: "not-requester" }
  | { code: "nothing-to-retire" }
  | { code: "not-revealed" }
  | { code: "already-deleted"; at: number }
  | { code: "in-progress" };

export type RetireOutcome =
  | { ok: true; secretId: number; description: string; at: number }
  | { ok: false; refusal: RetireRefusal }
  | { ok: false; failed: string };

/** Posts the reminder in the DM's thread (the Slack notifier implements it). */
export interface RetireNotifierPort {
  remindRetire?(request: HybridClientRequest): Promise<void>;
}

/** The secret to retire, when the requester still has a Delete old secret to press. */
export function pendingRetirement(r: HybridClientRequest): RotationRequest["retire"] {
  if (r.kind !== KIND.rotation || !r.retire || r.retire.first || r.retiredAt) return undefined;
  return r.retire;
}

/** The client's secrets as Replace secret choices, oldest first. */
export async function replaceChoices(
  adh: Pick<AdhPort, "listSecrets">,
  clientId: string,
): Promise<SecretTarget[]> {
  const secrets = await adh.listSecrets(clientId);
  return [...secrets]
    .sort((a, b) => a.Id - b.Id)
    .map((s) => ({
      secretId: s.Id,
      description: s.Description ?? "",
      expiration: s.Expires === false ? null : s.Expiration,
      last: secrets.length === 1,
    }));
}

/** A client at the limit: the chosen secret goes before the approved rotation mints. */
export async function retireFirst(
  engine: RequestEngine,
  ports: { adh: AdhPort; tracker?: SecretTrackerPort },
  r: HybridClientRequest,
): Promise<void> {
  if (r.kind !== KIND.rotation || !r.retire?.first) return;
  // A retried delete that gets 404 is done: the client answers 404 as success.
  await ports.adh.deleteSecret(r.clientId, r.retire.secretId);
  const secretId = r.retire.secretId;
  await engine.safely("untrack secret", async () =>
    ports.tracker?.untrackSecret?.(r.clientId, secretId),
  );
  // A fact in ADH, not a transition: its own event, id stable for this request and secret.
  await engine.record({
    id: auditEventId(r.id, "secret.deleted", secretId),
    type: "secret.deleted",
    actor: "system",
    request: r,
    details: { secretId, before: "new secret" },
  });
}

export class Retire {
  constructor(
    private readonly engine: RequestEngine,
    private readonly ports: {
      adh: AdhPort;
      notifier: NotifierPort & RetireNotifierPort;
      tracker: SecretTrackerPort;
    },
    private readonly store: RetirementStore | undefined,
  ) {}

  /** After the reveal: remind the requester once if the old secret is still there. */
  async scheduleReminder(r: HybridClientRequest): Promise<void> {
    if (!this.store || !pendingRetirement(r)) return;
    await this.store.scheduleReminder(
      r.id,
      (r.revealedAt ?? this.engine.now()) + RETIRE_REMINDER_MS,
    );
  }

  /** Delete old secret: the requester, once, after the reveal; no further approval. */
  async deleteOld(requestId: string, userId: string): Promise<RetireOutcome> {
    const { engine, store } = this;
    const stored = await engine.store.get(requestId);
    if (!stored) return { ok: false, refusal: { code: "not-found" } };
    const r = stored.request;
    const refusal = refusalFor(r, userId);
    if (refusal) return { ok: false, refusal };
    const target = pendingRetirement(r);
    if (!target) return { ok: false, refusal: { code: "nothing-to-retire" } };
    if (store && !(await store.claim(requestId, CLAIM_LEASE_MS))) {
      return { ok: false, refusal: { code: "in-progress" } };
    }
    try {
      await this.ports.adh.deleteSecret(r.clientId, target.secretId);
    } catch (error) {
      await store?.release(requestId);
      return { ok: false, failed: describeError(error) };
    }
    const at = engine.now();
    const done = await engine.withStorageRetries(() =>
      // The retirement and its secret.deleted event are one compare-and-set.
      engine.transition(
        requestId,
        (current) =>
          current.kind === KIND.rotation && !current.retiredAt
            ? { next: { ...current, retiredAt: at, updatedAt: at } }
            : { next: null },
        { type: "secret.deleted", actor: userId, details: () => ({ secretId: target.secretId }) },
      ),
    );
    if (!done.ok) {
      const now = await engine.store.get(requestId);
      const when = now?.request.kind === KIND.rotation ? now.request.retiredAt : undefined;
      return { ok: false, refusal: { code: "already-deleted", at: when ?? at } };
    }
    await engine.safely("untrack secret", async () =>
      this.ports.tracker.untrackSecret?.(r.clientId, target.secretId),
    );
    await engine.safely("cancel reminder", async () => store?.cancelReminder(requestId));
    await engine.safely("update DM", () => this.ports.notifier.updateDm(done.request));
    return { ok: true, secretId: target.secretId, description: target.description, at };
  }

  /** Timer: reminders due now, each taken by one replica only. Returns how many sent. */
  async remindDue(): Promise<number> {
    const { engine, store } = this;
    const remind = this.ports.notifier.remindRetire?.bind(this.ports.notifier);
    if (!store || !remind) return 0;
    let sent = 0;
    for (const id of await store.takeDue(engine.now())) {
      const stored = await engine.store.get(id);
      if (!stored || !pendingRetirement(stored.request)) continue;
      const request = stored.request;
      await engine.safely("retire reminder", async () => {
        await remind(request);
        sent++;
      });
    }
    return sent;
  }
}

function refusalFor(r: HybridClientRequest, userId: string): RetireRefusal | null {
  if (r.kind !== KIND.rotation || !r.retire || r.retire.first) {
    return { code: "nothing-to-retire" };
  }
  if (r.requesterId !== userId) return { code: "not-requester" };
  if (r.retiredAt) return { code: "already-deleted", at: r.retiredAt };
  if (r.reveal !== "revealed") return { code: "not-revealed" };
  return null;
}
