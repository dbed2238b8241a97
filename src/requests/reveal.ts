// The requester's one reveal: a fresh secret is minted in ADH and handed to the click's
// answer, once. A secret that may exist but was never shown is deleted, never left live.
import { AdhError } from "../adh/errors.js";
import { auditEventId } from "../store/audit-event.js";
import type { Eligibility } from "./eligibility.js";
import { type RequestEngine, toRequestError } from "./engine.js";
import type { HybridClientRequest } from "./model.js";
import type { RevealOutcome } from "./outcomes.js";
import type { AdhPort, NotifierPort, SecretTrackerPort, UnrevealedPort } from "./ports.js";
import * as machine from "./state-machine.js";

const UNSEEN = "remove a secret minted but never shown";

/** The Reveal button works this long after the final approval; then request again. */
export const REVEAL_DEADLINE_MS = 7 * 86_400_000;

/** When the Reveal button stops working (epoch ms): 7 days after the final approval. */
export function revealDeadline(r: HybridClientRequest): number {
  const approvedAt = r.approvals.reduce((latest, a) => Math.max(latest, a.at), r.createdAt);
  return approvedAt + REVEAL_DEADLINE_MS;
}

export class Reveal {
  constructor(
    private readonly engine: RequestEngine,
    private readonly ports: {
      adh: AdhPort;
      notifier: NotifierPort;
      tracker: SecretTrackerPort;
      unrevealed?: UnrevealedPort;
    },
    private readonly eligibility?: Eligibility,
    /** A rotation that retires a secret: the 7-day reminder starts at the reveal. */
    private readonly retire?: { scheduleReminder(r: HybridClientRequest): Promise<void> },
  ) {}

  /** Mints a fresh secret and returns it for the click's answer. */
  async reveal(requestId: string, userId: string): Promise<RevealOutcome> {
    const { engine } = this;
    const { adh, notifier, tracker } = this.ports;
    const refused = await this.refuseBeforeMint(requestId, userId);
    if (refused) return refused;
    const claimed = await engine.change(requestId, (r) =>
      machine.beginReveal(r, userId, engine.now()),
    );
    if (!claimed.ok) return claimed;
    const request = claimed.request;
    let minted: Awaited<ReturnType<AdhPort["addSecret"]>>;
    // Secrets already on the client: after a mint that may have been applied, any other
    // one is ours, and nobody will ever see its value.
    let known: Set<number> | undefined;
    try {
      known = new Set((await adh.listSecrets(request.clientId)).map((s) => s.Id));
      minted = await adh.addSecret(request.clientId, {
        Description: request.secret.description,
        Expiration: request.secret.expiration,
      });
    } catch (error) {
      const problem = toRequestError(error, engine.now());
      const before = known;
      if (before && mayHaveApplied(error)) {
        // Only a new secret with the description and expiration this mint sent is ours: one
        // someone added in the portal at the same moment is left alone.
        await engine.safely(UNSEEN, async () => {
          for (const s of await adh.listSecrets(request.clientId)) {
            if (!before.has(s.Id) && isTheOneWeSent(s, request.secret)) {
              await adh.deleteSecret(request.clientId, s.Id);
            }
          }
        });
      }
      await engine.withStorageRetries(() =>
        engine.change(requestId, (r) => machine.abortReveal(r, problem, engine.now())),
      );
      await engine.safely("update DM", async () => {
        const current = await engine.store.get(requestId);
        if (current) await notifier.updateDm(current.request);
      });
      return { ok: false, mintFailed: problem.message };
    }
    const secretId = minted.secret.Id;
    const expires = minted.secret.Expiration ?? request.secret.expiration;
    // A fact in ADH, not a transition of ours: appended on its own, id from the secret.
    await engine.record({
      id: auditEventId(requestId, "secret.minted", secretId),
      type: "secret.minted",
      actor: userId,
      request,
      details: { secretId, expiration: expires },
    });
    let done: Awaited<ReturnType<RequestEngine["change"]>>;
    try {
      done = await engine.withStorageRetries(() =>
        engine.transition(requestId, (r) => machine.finishReveal(r, secretId, engine.now()), {
          type: "secret.revealed",
          actor: userId,
          details: () => ({ secretId }),
        }),
      );
    } catch (error) {
      // Not recorded means not shown: the secret must not stay live unseen.
      await engine.safely(UNSEEN, () => adh.deleteSecret(request.clientId, secretId));
      throw error;
    }
    if (!done.ok) {
      // Another click took this reveal over (this mint outlived its lease) and shows its
      // own secret: this one is never shown, and must not stay live.
      await engine.safely(UNSEEN, () => adh.deleteSecret(request.clientId, secretId));
      return done;
    }
    const revealed = done.request;
    const expiration = expires;
    const { unrevealed } = this.ports;
    if (unrevealed) {
      await engine.safely("unindex unrevealed", () => unrevealed.remove(userId, requestId));
    }
    await engine.safely("update DM", () => notifier.updateDm(revealed));
    await engine.safely("track secret", () =>
      tracker.trackMintedSecret({
        clientId: request.clientId,
        clientName: request.client.name,
        secretId,
        description: request.secret.description,
        expiration,
        channel: request.reminderChannel,
      }),
    );
    const retire = this.retire;
    if (retire) {
      await engine.safely("schedule retire reminder", () => retire.scheduleReminder(revealed));
    }
    return {
      ok: true,
      clientId: request.clientId,
      clientName: request.client.name,
      secret: minted.value,
      secretId,
      expiration,
    };
  }

  /**
   * Checks made before anything is minted, for the requester's own ready Reveal: the
   * button's deadline, then the Tenant Administrator role, fresh from ADH (a role removed
   * after approval must not still yield a live secret). Other clickers and states are
   * answered by the claim itself.
   */
  private async refuseBeforeMint(
    requestId: string,
    userId: string,
  ): Promise<RevealOutcome | undefined> {
    const stored = await this.engine.store.get(requestId);
    const r = stored?.request;
    if (!r || r.requesterId !== userId || r.status !== "created" || r.reveal === "revealed") {
      return undefined;
    }
    const deadline = revealDeadline(r);
    if (this.engine.now() > deadline) {
      return { ok: false, revealExpired: { clientId: r.clientId, deadline } };
    }
    if (!this.eligibility) return undefined;
    const check = await this.eligibility.check(userId);
    if (check.ok) return undefined;
    const { ok: _ok, ...refusal } = check;
    this.engine.audit("secret.reveal-refused", r, userId, { code: refusal.code });
    return { ok: false, requesterRefused: refusal };
  }

  /**
   * The secret could not be delivered to the click (Slack refused the response_url):
   * nobody saw it, so it is deleted and the Reveal button offered again.
   */
  async revokeUndelivered(requestId: string, userId: string, secretId: number): Promise<void> {
    const { engine } = this;
    // A Redis restart at this moment must not leave a live secret nobody saw, recorded as
    // revealed: the read and the undo wait it out.
    const stored = await engine.withStorageRetries(() => engine.store.get(requestId));
    if (!stored || stored.request.requesterId !== userId) return;
    await this.ports.adh.deleteSecret(stored.request.clientId, secretId);
    // Audited as secret.deleted in the transition's script; the log line keeps its name.
    const undone = await engine.withStorageRetries(() =>
      engine.change(requestId, (r) => machine.undoReveal(r, secretId, engine.now()), {
        type: "secret.deleted",
        actor: "system",
        details: () => ({ secretId, reason: "undelivered" }),
      }),
    );
    if (!undone.ok) return;
    engine.audit("secret.revoked-undelivered", undone.request, "system", { secretId });
    await engine.safely("update DM", () => this.ports.notifier.updateDm(undone.request));
  }
}

/** Is this secret the one our mint asked for (same description and expiration)? */
function isTheOneWeSent(
  s: { Description?: string; Expiration: string | null },
  sent: { description: string; expiration: string | null },
): boolean {
  if ((s.Description ?? "") !== sent.description) return false;
  if (s.Expiration === null || sent.expiration === null) return s.Expiration === sent.expiration;
  return Date.parse(s.Expiration) === Date.parse(sent.expiration);
}

/** A failure after which ADH may still have applied the call (5xx, timeout, no answer). */
function mayHaveApplied(error: unknown): boolean {
  if (!(error instanceof AdhError)) return true;
  return error.status === undefined || error.status === 408 || error.status >= 500;
}
