// The requester's one reveal: a fresh secret is minted in ADH and handed to the click's
// answer, once. A secret that may exist but was never shown is deleted, never left live.
import { AdhError } from "../adh/errors.js";
import { auditEventId } from "../store/audit-event.js";
import { type RequestEngine, toRequestError } from "./engine.js";
import type { RevealOutcome } from "./outcomes.js";
import type { AdhPort, NotifierPort, SecretTrackerPort } from "./ports.js";
import * as machine from "./state-machine.js";

const UNSEEN = "remove a secret minted but never shown";

export class Reveal {
  constructor(
    private readonly engine: RequestEngine,
    private readonly ports: { adh: AdhPort; notifier: NotifierPort; tracker: SecretTrackerPort },
  ) {}

  /** Mints a fresh secret and returns it for the click's answer. */
  async reveal(requestId: string, userId: string): Promise<RevealOutcome> {
    const { engine } = this;
    const { adh, notifier, tracker } = this.ports;
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
        await engine.safely(UNSEEN, async () => {
          for (const s of await adh.listSecrets(request.clientId)) {
            if (!before.has(s.Id)) await adh.deleteSecret(request.clientId, s.Id);
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
   * The secret could not be delivered to the click (Slack refused the response_url):
   * nobody saw it, so it is deleted and the Reveal button offered again.
   */
  async revokeUndelivered(requestId: string, userId: string, secretId: number): Promise<void> {
    const { engine } = this;
    const stored = await engine.store.get(requestId);
    if (!stored || stored.request.requesterId !== userId) return;
    await this.ports.adh.deleteSecret(stored.request.clientId, secretId);
    // Audited as secret.deleted in the transition's script; the log line keeps its name.
    const undone = await engine.change(
      requestId,
      (r) => machine.undoReveal(r, secretId, engine.now()),
      {
        type: "secret.deleted",
        actor: "system",
        details: () => ({ secretId, reason: "undelivered" }),
      },
    );
    if (!undone.ok) return;
    engine.audit("secret.revoked-undelivered", undone.request, "system", { secretId });
    await engine.safely("update DM", () => this.ports.notifier.updateDm(undone.request));
  }
}

/** A failure after which ADH may still have applied the call (5xx, timeout, no answer). */
function mayHaveApplied(error: unknown): boolean {
  if (!(error instanceof AdhError)) return true;
  return error.status === undefined || error.status === 408 || error.status >= 500;
}
