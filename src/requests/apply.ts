// Applying an approved request in ADH (what `complete()` used to do): a new client is
// created under its pre-generated Id (recovered from a 409 after a crash), a rotation is
// checked for room; then the requester gets the Reveal DM. A create left half-done by a
// crash is reconciled once its lease runs out; ADH failing leaves the request `failed`.
import type { CreateHybridClientResult } from "../adh/client.js";
import { AdhError } from "../adh/errors.js";
import { TaskPool } from "../task-pool.js";
import type { Announcer } from "./announce.js";
import type { Eligibility } from "./eligibility.js";
import { describeError, type RequestEngine, toRequestError } from "./engine.js";
import { isLifecycle } from "./lifecycle.js";
import { applyLifecycle, finishLifecycle } from "./lifecycle-apply.js";
import type { HybridClientRequest, MessageRef, RequestError, RequestKind } from "./model.js";
import type { RequesterRefusal } from "./outcomes.js";
import type { AdhPort, NotifierPort, SecretTrackerPort } from "./ports.js";
import { retireFirst } from "./retire.js";
import { rotationRefusal } from "./rotation.js";
import * as machine from "./state-machine.js";

/** What applying one kind did: done, lost the lease to another replica, or failed. */
type Applied = "done" | "lost" | { failed: Omit<RequestError, "at"> };

/** Per-kind work in ADH; `stillMine` renews the lease and says whether we still hold it. */
type Applier = (
  request: HybridClientRequest,
  stillMine: () => Promise<boolean>,
) => Promise<Applied>;

export class Apply {
  /** A burst of approvals queues here instead of flooding ADH and the event loop. */
  private readonly pool = new TaskPool(32);
  private readonly appliers: Record<RequestKind, Applier>;

  constructor(
    private readonly engine: RequestEngine,
    private readonly eligibility: Eligibility,
    private readonly announcer: Announcer,
    private readonly ports: { adh: AdhPort; notifier: NotifierPort; tracker?: SecretTrackerPort },
    private readonly options: { createLeaseMs: number },
  ) {
    this.appliers = {
      "new-client": (r, stillMine) => this.createClient(r, stillMine),
      "new-secret": (r) => this.checkRotation(r),
      "edit-client": (r) => applyLifecycle(this.ports.adh, r),
      "disable-client": (r) => applyLifecycle(this.ports.adh, r),
      "enable-client": (r) => applyLifecycle(this.ports.adh, r),
      "delete-client": (r) => applyLifecycle(this.ports.adh, r),
      "delete-secret": (r) => applyLifecycle(this.ports.adh, r),
    };
  }

  /** Queues the apply behind the pool; drain() waits for it. */
  inBackground(request: HybridClientRequest): void {
    this.engine.track(this.pool.run(() => this.apply(request)));
  }

  /** Finishes applies left in `creating` by a crash, once their lease has run out. */
  async reconcile(): Promise<number> {
    const { engine } = this;
    let taken = 0;
    for (const id of await engine.store.creatingIds()) {
      const outcome = await engine.change(id, (r) =>
        machine.reclaimCreate(r, this.options.createLeaseMs, engine.now()),
      );
      if (!outcome.ok) continue;
      taken++;
      engine.logger.info({ requestId: id }, "reconciling a create left in progress");
      await this.apply(outcome.request);
    }
    return taken;
  }

  /** Applies the request in ADH, then sends the Reveal DM. */
  async apply(request: HybridClientRequest): Promise<void> {
    const { engine } = this;
    const log = engine.logger.child({ requestId: request.id, clientId: request.clientId });
    // The lease on this apply, renewed before each step: a replica that took it over
    // (after a stall longer than the lease) owns it from then on, and this one stops.
    let ownedAt = request.updatedAt;
    const stillMine = async () => {
      const renewed = await engine.change(request.id, (r) =>
        machine.renewCreate(r, ownedAt, engine.now()),
      );
      if (renewed.ok) ownedAt = renewed.request.updatedAt;
      return renewed.ok;
    };
    try {
      const check = await this.eligibility.check(request.requesterId);
      if (!check.ok) {
        await this.fail(request.id, requesterFailure(check));
        return;
      }
      if (!(await stillMine())) return;
      const applied = await this.appliers[request.kind](request, stillMine);
      if (applied === "lost") return;
      if (applied !== "done") {
        await this.fail(request.id, applied.failed);
        return;
      }
      if (!(await stillMine())) return;
      if (isLifecycle(request)) {
        // Nothing to reveal: the requester is told it is done (see lifecycle-apply.ts).
        const { notifier, tracker } = this.ports;
        await finishLifecycle({ engine, announcer: this.announcer, notifier, tracker }, request);
        return;
      }
      await this.deliver(request);
    } catch (error) {
      if (engine.isStopping) {
        // Shutting down cut the call short: that is not ADH failing. The request stays
        // `creating` and the next start (or another replica) reconciles it by its Id.
        log.warn(
          { err: describeError(error) },
          "create interrupted by shutdown; left for reconciliation",
        );
        return;
      }
      log.error({ err: describeError(error) }, "create failed");
      await this.fail(request.id, toRequestError(error, engine.now()));
    }
  }

  /** Marks the request created and sends the requester the DM with the Reveal button. */
  private async deliver(request: HybridClientRequest): Promise<void> {
    const { engine } = this;
    const created = await engine.change(request.id, (r) => machine.markCreated(r, engine.now()));
    if (!created.ok) return;
    engine.audit("client.created", created.request, "system");
    let dm: MessageRef;
    try {
      dm = await this.ports.notifier.sendCreatedDm(created.request);
    } catch (error) {
      // Without this DM the requester has no Reveal button: hand it back to the approvers.
      await this.failDelivery(request.id, error);
      return;
    }
    // The client exists and the requester has their button: from here on a storage
    // hiccup must not turn this into a failed create, nor skip updating the approvals.
    await engine.safely("record the DM", () =>
      engine.withStorageRetries(() =>
        engine.change(request.id, (r) => machine.attachDm(r, dm, engine.now())),
      ),
    );
    await this.announcer.announce(created.request, "created");
  }

  /** Creates the client under its pre-generated Id and removes the secret nobody saw. */
  private async createClient(
    request: HybridClientRequest,
    stillMine: () => Promise<boolean>,
  ): Promise<Applied> {
    const { adh } = this.ports;
    const created = await adh
      .createHybridClient({
        Id: request.clientId,
        Name: request.client.name,
        RedirectUris: request.client.redirectUris,
        PostLogoutRedirectUris: request.client.postLogoutRedirectUris,
        AccessTokenLifetime: request.client.accessTokenLifetime,
        AllowOfflineAccess: request.client.allowOfflineAccess,
        SecretDescription: request.secret.description,
        SecretExpirationDate: request.secret.expiration,
      })
      .catch((error) => this.recoverEarlierCreate(request, error));
    // A replica that took over may have revealed a secret by now: never delete after that.
    if (!(await stillMine())) return "lost";
    // Nobody ever sees the initial secret: the requester gets a fresh one at reveal.
    // When the create was recovered from a 409 we never learnt its id, but a client
    // this young holds only secrets that nobody has seen, so all of them go.
    const unseen = created.initialSecret
      ? [created.initialSecret.id]
      : (await adh.listSecrets(request.clientId)).map((s) => s.Id);
    for (const secretId of unseen) await adh.deleteSecret(request.clientId, secretId);
    return "done";
  }

  /**
   * A 409 on the very first call happens when an earlier process made the client and
   * stopped before recording it (reconciliation after a crash). The Id is ours — a
   * fresh random GUID — so a client with that Id and this name is that earlier create.
   */
  private async recoverEarlierCreate(
    request: HybridClientRequest,
    error: unknown,
  ): Promise<CreateHybridClientResult> {
    if (!(error instanceof AdhError) || error.status !== 409) throw error;
    const existing = await this.ports.adh.getHybridClient(request.clientId);
    if (!existing || existing.Name !== request.client.name) throw error;
    return { client: existing, existed: true };
  }

  /** A rotation mints at reveal; here the client must still exist and have room. */
  private async checkRotation(request: HybridClientRequest): Promise<Applied> {
    // A client at ADH's limit: the secret chosen to retire goes first (issue 11 item 5).
    await retireFirst(this.engine, this.ports, request);
    const refusal = await rotationRefusal(this.ports.adh, request.clientId);
    if (!refusal) return "done";
    const code = refusal.code === "secret-limit" ? "secret-limit" : "no-such-client";
    return { failed: { code, message: request.clientId } };
  }

  /** The "created" DM could not be sent: the request fails visibly, and Retry sends it. */
  private async failDelivery(requestId: string, cause: unknown): Promise<void> {
    const { engine } = this;
    const error: RequestError = {
      code: "dm-undelivered",
      message: describeError(cause),
      at: engine.now(),
    };
    const failed = await engine.change(requestId, (r) =>
      machine.failDelivery(r, error, engine.now()),
    );
    if (!failed.ok) return;
    engine.audit("request.failed", failed.request, "system", {
      code: error.code,
      error: error.message,
    });
    await this.announcer.announce(failed.request, "failed");
  }

  private async fail(requestId: string, error: Omit<RequestError, "at">): Promise<void> {
    const { engine } = this;
    const failed = await engine.change(requestId, (r) =>
      machine.markFailed(r, { ...error, at: engine.now() }, engine.now()),
    );
    if (!failed.ok) return;
    engine.audit("request.failed", failed.request, "system", {
      code: error.code,
      error: error.message,
      operationId: error.operationId,
    });
    await this.announcer.announce(failed.request, "failed");
  }
}

/** The requester may no longer ask: stored as a code, with what the Slack layer words. */
function requesterFailure(refusal: RequesterRefusal): Omit<RequestError, "at"> {
  switch (refusal.code) {
    case "unknown-user":
      return { code: "requester-unknown-user", message: refusal.email };
    case "adh-unavailable":
      return { code: "requester-adh-unavailable", message: refusal.detail };
    case "no-email":
      return { code: "requester-no-email", message: "" };
    case "not-admin":
      return { code: "requester-not-admin", message: "" };
  }
}
