// Applying an approved request in ADH (what `complete()` used to do): a new client is
// created under its pre-generated Id (recovered from a 409 after a crash), a rotation is
// checked for room; then the requester gets the Reveal DM. A create left half-done by a
// crash is reconciled once its lease runs out; ADH failing leaves the request `failed`.
import type { CreateHybridClientResult } from "../adh/client.js";
import { AdhError } from "../adh/errors.js";
import { TaskPool } from "../task-pool.js";
import type { Announcer } from "./announce.js";
import {
  APPLIED_EVENTS,
  type Applied,
  type Applier,
  earlierAttemptMayHaveApplied,
  failureDetails,
  matchesRequest,
  requesterFailure,
} from "./apply-rules.js";
import type { Eligibility } from "./eligibility.js";
import { describeError, type RequestEngine, toRequestError } from "./engine.js";
import { isLifecycle } from "./lifecycle.js";
import { applyLifecycle, finishLifecycle } from "./lifecycle-apply.js";
import type { HybridClientRequest, MessageRef, RequestError, RequestKind } from "./model.js";
import { type Policy, policyFailure } from "./policy.js";
import type { AdhPort, NotifierPort, SecretTrackerPort, UnrevealedPort } from "./ports.js";
import { retireFirst } from "./retire.js";
import { revealDeadline } from "./reveal.js";
import { rotationRefusal } from "./rotation.js";
import * as machine from "./state-machine.js";

export class Apply {
  /** A burst of approvals queues here instead of flooding ADH and the event loop. */
  private readonly pool = new TaskPool(32);
  private readonly appliers: Record<RequestKind, Applier>;
  /** The audit event each kind records when its apply succeeded (see README). */
  private readonly appliedEvents = APPLIED_EVENTS;

  constructor(
    private readonly engine: RequestEngine,
    private readonly eligibility: Eligibility,
    private readonly announcer: Announcer,
    private readonly ports: {
      adh: AdhPort;
      notifier: NotifierPort;
      tracker?: SecretTrackerPort;
      unrevealed?: UnrevealedPort;
    },
    private readonly options: { createLeaseMs: number; policy?: Policy },
  ) {
    this.appliers = {
      "new-client": (r, stillMine, earlier) => this.createClient(r, stillMine, earlier),
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
      await this.apply(outcome.request, { earlierAttempt: true });
    }
    return taken;
  }

  /**
   * Applies the request in ADH, then sends the Reveal DM. `earlierAttempt`: an attempt
   * before this one may have been applied (reconciliation after a crash); a Retry after a
   * failure that may have been applied counts too.
   */
  async apply(
    request: HybridClientRequest,
    opts: { earlierAttempt?: boolean } = {},
  ): Promise<void> {
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
      // The policy may have tightened since the form: what no longer passes fails visibly.
      const refused = this.options.policy
        ? policyFailure(request, this.options.policy, new Date(engine.now()))
        : undefined;
      if (refused) {
        await this.fail(request.id, refused);
        return;
      }
      if (!(await stillMine())) return;
      const earlier = opts.earlierAttempt === true || earlierAttemptMayHaveApplied(request);
      const applied = await this.appliers[request.kind](request, stillMine, earlier);
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
    const created = await engine.transition(
      request.id,
      (r) => machine.markCreated(r, engine.now()),
      { type: this.appliedEvents[request.kind], actor: "system" },
    );
    if (!created.ok) return;
    // `status` shows it until revealed (and after the Reveal deadline, that it expired).
    const { unrevealed } = this.ports;
    if (unrevealed) {
      const r = created.request;
      await engine.safely("index unrevealed", () =>
        unrevealed.add(r.requesterId, r.id, revealDeadline(r)),
      );
    }
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
    earlierAttempt: boolean,
  ): Promise<Applied> {
    const { adh } = this.ports;
    let foreign = false;
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
      .catch((error) =>
        this.recoverEarlierCreate(request, error, earlierAttempt).catch((e: unknown) => {
          if (e !== FOREIGN) throw e;
          foreign = true;
          return null;
        }),
      );
    // A client under our Id that is not exactly what was approved is not ours to adopt:
    // nothing is minted and none of its secrets is touched.
    if (
      foreign ||
      created === null ||
      (created.existed && !matchesRequest(created.client, request))
    ) {
      return { failed: { code: "foreign-client", message: request.clientId } };
    }
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
   * A 409 on this process's first call happens when an earlier attempt made the client and
   * stopped before recording it (reconciliation after a crash, a Retry after a timeout).
   * Only then, and only when every field matches the approved request, is it ours; a 409
   * on a first attempt means someone else holds the Id (throws FOREIGN).
   */
  private async recoverEarlierCreate(
    request: HybridClientRequest,
    error: unknown,
    earlierAttempt: boolean,
  ): Promise<CreateHybridClientResult> {
    if (!(error instanceof AdhError) || error.status !== 409) throw error;
    if (!earlierAttempt) throw FOREIGN;
    const existing = await this.ports.adh.getHybridClient(request.clientId);
    if (!existing || !matchesRequest(existing, request)) throw FOREIGN;
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
    // A Redis restart in this moment must not strand a created client without its DM.
    const failed = await engine.withStorageRetries(() =>
      engine.transition(requestId, (r) => machine.failDelivery(r, error, engine.now()), {
        type: "request.failed",
        actor: "system",
        details: failureDetails,
      }),
    );
    if (!failed.ok) return;
    await this.announcer.announce(failed.request, "failed");
  }

  private async fail(requestId: string, error: Omit<RequestError, "at">): Promise<void> {
    const { engine } = this;
    const failed = await engine.withStorageRetries(() =>
      engine.transition(
        requestId,
        (r) => machine.markFailed(r, { ...error, at: engine.now() }, engine.now()),
        { type: "request.failed", actor: "system", details: failureDetails },
      ),
    );
    if (!failed.ok) return;
    await this.announcer.announce(failed.request, "failed");
  }
}

/** Thrown inside createClient when a 409 names a client that is not ours. */
const FOREIGN = Symbol("foreign client");
