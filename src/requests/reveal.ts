// The requester's one reveal: a fresh secret is minted in ADH and handed to the click's
// answer, once. A secret that may exist but was never shown is deleted, never left live.
import { AdhError } from "../adh/errors.js";
import { type RequestEngine, toRequestError } from "./engine.js";
import type { HybridClientRequest } from "./model.js";
import type { RevealOutcome } from "./outcomes.js";
import type { AdhPort, NotifierPort, SecretTrackerPort } from "./ports.js";
import * as machine from "./state-machine.js";

const UNSEEN = "remove a secret minted but never shown";

export class Reveal {
  constructor(
    private readonly engine: RequestEngine,
    private readonly ports: { adh: AdhPort; notifier: NotifierPort; tracker: SecretTrackerPort },
    /** A rotation that retires a secret: the 7-day reminder starts at the reveal. */
    private readonly retire?: { scheduleReminder(r: HybridClientRequest): Promise<void> },
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
    let done: Awaited<ReturnType<RequestEngine["change"]>>;
    try {
      done = await engine.withStorageRetries(() =>
        engine.change(requestId, (r) => machine.finishReveal(r, secretId, engine.now())),
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
    const expiration = minted.secret.Expiration ?? request.secret.expiration;
    engine.audit("secret.revealed", revealed, userId, { secretId });
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
   * The secret could not be delivered to the click (Slack refused the response_url):
   * nobody saw it, so it is deleted and the Reveal button offered again.
   */
  async revokeUndelivered(requestId: string, userId: string, secretId: number): Promise<void> {
    const { engine } = this;
    const stored = await engine.store.get(requestId);
    if (!stored || stored.request.requesterId !== userId) return;
    await this.ports.adh.deleteSecret(stored.request.clientId, secretId);
    const undone = await engine.change(requestId, (r) =>
      machine.undoReveal(r, secretId, engine.now()),
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
