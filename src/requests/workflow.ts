// The approval workflow: submit, approve, deny, cancel, expire, create, retry, reveal.
// Every state change goes through RequestStore.update (atomic compare-and-set); side
// effects (ADH, Slack) happen only for the caller that won the transition.
import { randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { CreateHybridClientResult } from "../adh/client.js";
import { AdhError } from "../adh/errors.js";
import { isRedisUnavailable } from "../store/redis.js";
import { type Change, RequestNotFoundError, type RequestStore } from "../store/request-store.js";
import { TaskPool } from "../task-pool.js";
import {
  FormDraft,
  type HybridClientRequest,
  type MessageRef,
  type RequestDraft,
  type RequestError,
  type SecretDetails,
} from "./model.js";
import {
  type AdhPort,
  type NotifierPort,
  type SecretTrackerPort,
  type SlackPeoplePort,
  TryAgainLater,
  type UserDirectoryPort,
} from "./ports.js";
import * as machine from "./state-machine.js";

export interface WorkflowOptions {
  store: RequestStore;
  adh: AdhPort;
  directory: UserDirectoryPort;
  people: SlackPeoplePort;
  notifier: NotifierPort;
  tracker: SecretTrackerPort;
  logger: Logger;
  approvalsRequired: number;
  allowSelfApproval: boolean;
  requestTtlMs: number;
  /** How long a `creating` request is left to the replica that started it. */
  createLeaseMs?: number;
  now?: () => number;
  /** Observes every audit event (metrics). */
  onEvent?: (event: string) => void;
}

export type RequesterCheck =
  | { ok: true }
  | {
      ok: false;
      code: "no-email" | "unknown-user" | "not-admin" | "adh-unavailable";
      message: string;
    };

/** Why a click changed nothing; the Slack layer words it for the clicker. */
export type ClickRefusal =
  | machine.Refusal
  | { code: "not-found" }
  | { code: "not-approver" }
  | { code: "nothing-changed" };

/** Outcome of a click, for the listener to show the clicker (ephemeral). */
export type ClickOutcome = { ok: true } | { ok: false; refusal: ClickRefusal };

export type RevealOutcome =
  | {
      ok: true;
      clientId: string;
      clientName: string;
      /** The one-time value: handed to the click's response_url and then dropped. */
      secret: string;
      secretId: number;
      expiration: string | null;
    }
  | { ok: false; refusal: ClickRefusal }
  /** ADH refused or failed the mint; nothing was revealed and the button stays usable. */
  | { ok: false; mintFailed: string };

/** ADH's documented limit of secrets per hybrid client. */
const MAX_SECRETS_PER_CLIENT = 10;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RequestWorkflow {
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** A burst of approvals queues here instead of flooding ADH and the event loop. */
  private readonly creates = new TaskPool(32);
  private readonly adminChecks = new Map<string, number>();
  private stopping = false;

  constructor(private readonly o: WorkflowOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Is this Slack user a Tenant Administrator in ADH? Expected failures are values. */
  async checkRequester(slackUserId: string): Promise<RequesterCheck> {
    try {
      const email = await this.o.people.emailOf(slackUserId);
      if (!email) {
        return {
          ok: false,
          code: "no-email",
          message:
            "Your Slack profile has no email address the bot can read, so it cannot find you in AVEVA Data Hub. Add an email to your Slack profile, or ask a workspace admin.",
        };
      }
      const user = await this.o.directory.findUserByEmail(email);
      if (!user) {
        return {
          ok: false,
          code: "unknown-user",
          message: `No AVEVA Data Hub user in this tenant has the email ${email}. Ask a Tenant Administrator to invite you with that address, then try again.`,
        };
      }
      if (!(await this.o.adh.isTenantAdministrator(user.id))) {
        return {
          ok: false,
          code: "not-admin",
          message:
            "Only Tenant Administrators in AVEVA Data Hub can request hybrid clients, and your ADH user does not hold that role. Ask a Tenant Administrator to make the request, or to grant you the role.",
        };
      }
      return { ok: true };
    } catch (error) {
      // Redis failing (the user directory's cache) is not ADH failing: let the caller say
      // "storage temporarily unavailable, nothing was lost".
      if (isRedisUnavailable(error)) throw error;
      this.o.logger.warn({ err: describeError(error), slackUserId }, "requester check failed");
      return {
        ok: false,
        code: "adh-unavailable",
        message: `AVEVA Data Hub could not be reached to check your role (${describeError(error)}). Nothing was submitted; try again in a few minutes.`,
      };
    }
  }

  /**
   * The check made when a form opens: a positive answer is reused for a minute, since the
   * role is checked again on submit and again before anything is created.
   */
  async checkRequesterForForm(slackUserId: string): Promise<RequesterCheck> {
    const checkedAt = this.adminChecks.get(slackUserId);
    if (checkedAt !== undefined && this.now() - checkedAt < 60_000) return { ok: true };
    const check = await this.checkRequester(slackUserId);
    if (check.ok) this.adminChecks.set(slackUserId, this.now());
    else this.adminChecks.delete(slackUserId);
    return check;
  }

  /** Stores a pending request and posts it for approval. */
  async submit(
    draft: RequestDraft,
  ): Promise<{ ok: true; request: HybridClientRequest } | { ok: false; message: string }> {
    const check = await this.checkRequester(draft.requesterId);
    if (!check.ok) return { ok: false, message: check.message };
    const now = this.now();
    const request: HybridClientRequest = {
      id: newRequestId(),
      kind: draft.kind,
      status: "pending",
      requesterId: draft.requesterId,
      reason: draft.reason,
      clientId: draft.clientId ?? randomUUID(),
      client: draft.client,
      secret: draft.secret,
      reminderChannel: draft.reminderChannel,
      createdAt: now,
      expiresAt: now + this.o.requestTtlMs,
      approvalsRequired: this.o.approvalsRequired,
      approvals: [],
      reveal: "none",
      updatedAt: now,
    };
    await this.o.store.create(request);
    this.audit("request.submitted", request, draft.requesterId);
    let current: HybridClientRequest;
    let ref: MessageRef | undefined;
    try {
      ref = await this.o.notifier.postApproval(request);
      const at = ref;
      // Without the reference no decision could update the message: worth waiting for.
      const posted = await this.withStorageRetries(() =>
        this.change(request.id, (r) => result(machine.attachApprovalMessage(r, at, this.now()))),
      );
      current = posted.request ?? request;
    } catch (error) {
      // Approvers would never see it: withdraw it rather than leave it dangling.
      const withdrawn = await this.change(request.id, (r) =>
        result(machine.cancel(r, r.requesterId, this.now())),
      );
      // Posted but not recorded: its buttons are live, so show them the withdrawal.
      const at = ref;
      if (at && withdrawn.ok) {
        await this.safely("update approval message", () =>
          this.o.notifier.updateApproval({ ...withdrawn.request, approvalMessage: at }),
        );
      }
      this.o.logger.error(
        { err: describeError(error), requestId: request.id },
        "approval post failed",
      );
      return {
        ok: false,
        message: `Your request could not be posted to the approvals channel (${describeError(error)}). Ask the bot's operator to invite the bot there (/invite @hybrid-client-bot), then submit again.`,
      };
    }
    // The approvers already see it: a lost receipt must not withdraw it.
    await this.safely("tell requester", () => this.o.notifier.tellRequester(current, "submitted"));
    return { ok: true, request: current };
  }

  /** May this Slack user approve, deny or retry? */
  mayDecide(slackUserId: string): Promise<boolean> {
    return this.o.people.isApprover(slackUserId);
  }

  async approve(requestId: string, approverId: string): Promise<ClickOutcome> {
    if (!(await this.o.people.isApprover(approverId))) {
      return { ok: false, refusal: { code: "not-approver" } };
    }
    const outcome = await this.change(requestId, (r) =>
      result(
        machine.approve(r, approverId, {
          allowSelfApproval: this.o.allowSelfApproval,
          now: this.now(),
        }),
      ),
    );
    if (!outcome.ok) return { ok: false, refusal: outcome.result ?? { code: "nothing-changed" } };
    this.audit("request.approved", outcome.request, approverId);
    await this.safely("update approval message", () => this.refreshApproval(requestId));
    if (outcome.request.status === "creating") {
      this.track(this.creates.run(() => this.complete(outcome.request)));
    }
    return { ok: true };
  }

  async deny(requestId: string, userId: string, reason: string): Promise<ClickOutcome> {
    if (!(await this.o.people.isApprover(userId))) {
      return { ok: false, refusal: { code: "not-approver" } };
    }
    const outcome = await this.change(requestId, (r) =>
      result(machine.deny(r, userId, reason, this.now())),
    );
    if (!outcome.ok) return { ok: false, refusal: outcome.result ?? { code: "nothing-changed" } };
    this.audit("request.denied", outcome.request, userId);
    await this.announce(outcome.request, "denied");
    return { ok: true };
  }

  async cancel(requestId: string, userId: string): Promise<ClickOutcome> {
    const outcome = await this.change(requestId, (r) =>
      result(machine.cancel(r, userId, this.now())),
    );
    if (!outcome.ok) return { ok: false, refusal: outcome.result ?? { code: "nothing-changed" } };
    this.audit("request.cancelled", outcome.request, userId);
    await this.safely("update approval message", () => this.refreshApproval(requestId));
    return { ok: true };
  }

  async retry(requestId: string, userId: string): Promise<ClickOutcome> {
    if (!(await this.o.people.isApprover(userId))) {
      return { ok: false, refusal: { code: "not-approver" } };
    }
    const outcome = await this.change(requestId, (r) => result(machine.retry(r, this.now())));
    if (!outcome.ok) return { ok: false, refusal: outcome.result ?? { code: "nothing-changed" } };
    this.audit("request.retried", outcome.request, userId);
    await this.safely("update approval message", () => this.refreshApproval(requestId));
    this.track(this.creates.run(() => this.complete(outcome.request)));
    return { ok: true };
  }

  /** Expires pending requests whose time is up. Safe to run on every replica. */
  async expireDue(): Promise<number> {
    let expired = 0;
    for (const id of await this.o.store.expiredPendingIds(this.now())) {
      const outcome = await this.change(id, (r) => result(machine.expire(r, this.now())));
      if (!outcome.ok) continue;
      expired++;
      this.audit("request.expired", outcome.request, "system");
      await this.announce(outcome.request, "expired");
    }
    return expired;
  }

  /** Finishes creates left in `creating` by a crash, once their lease has run out. */
  async reconcile(): Promise<number> {
    const leaseMs = this.o.createLeaseMs ?? 60_000;
    let taken = 0;
    for (const id of await this.o.store.creatingIds()) {
      const outcome = await this.change(id, (r) =>
        result(machine.reclaimCreate(r, leaseMs, this.now())),
      );
      if (!outcome.ok) continue;
      taken++;
      this.o.logger.info({ requestId: id }, "reconciling a create left in progress");
      await this.complete(outcome.request);
    }
    return taken;
  }

  /**
   * Creates the client in ADH (idempotent on the pre-generated Id) or, for a rotation,
   * checks the client can take one more secret; then sends the Reveal DM.
   */
  async complete(request: HybridClientRequest): Promise<void> {
    const log = this.o.logger.child({ requestId: request.id, clientId: request.clientId });
    // The lease on this create, renewed before each step: a replica that took the create
    // over (after a stall longer than the lease) owns it from then on, and this one stops.
    let ownedAt = request.updatedAt;
    const stillMine = async () => {
      const renewed = await this.change(request.id, (r) =>
        result(machine.renewCreate(r, ownedAt, this.now())),
      );
      if (renewed.ok) ownedAt = renewed.request.updatedAt;
      return renewed.ok;
    };
    try {
      const check = await this.checkRequester(request.requesterId);
      if (!check.ok) {
        await this.fail(request.id, { message: `Requester check failed: ${check.message}` });
        return;
      }
      if (!(await stillMine())) return;
      if (request.kind === "new-client") {
        if (!(await this.createClient(request, stillMine))) return;
      } else {
        const refusal = await this.checkRotation(request.clientId);
        if (refusal) {
          await this.fail(request.id, { message: refusal });
          return;
        }
      }
      if (!(await stillMine())) return;
      const created = await this.change(request.id, (r) =>
        result(machine.markCreated(r, this.now())),
      );
      if (!created.ok) return;
      this.audit("client.created", created.request, "system");
      let dm: MessageRef;
      try {
        dm = await this.o.notifier.sendCreatedDm(created.request);
      } catch (error) {
        // Without this DM the requester has no Reveal button: hand it back to the approvers.
        await this.failDelivery(request.id, error);
        return;
      }
      // The client exists and the requester has their button: from here on a storage
      // hiccup must not turn this into a failed create, nor skip updating the approvals.
      await this.safely("record the DM", () =>
        this.withStorageRetries(() =>
          this.change(request.id, (r) => result(machine.attachDm(r, dm, this.now()))),
        ),
      );
      await this.announce(created.request, "created");
    } catch (error) {
      if (this.stopping) {
        // Shutting down cut the call short: that is not ADH failing. The request stays
        // `creating` and the next start (or another replica) reconciles it by its Id.
        log.warn(
          { err: describeError(error) },
          "create interrupted by shutdown; left for reconciliation",
        );
        return;
      }
      log.error({ err: describeError(error) }, "create failed");
      await this.fail(request.id, toRequestError(error, this.now()));
    }
  }

  /** False when another replica took the create over meanwhile (then nothing is deleted). */
  private async createClient(
    request: HybridClientRequest,
    stillMine: () => Promise<boolean>,
  ): Promise<boolean> {
    const created = await this.o.adh
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
    if (!(await stillMine())) return false;
    // Nobody ever sees the initial secret: the requester gets a fresh one at reveal.
    // When the create was recovered from a 409 we never learnt its id, but a client
    // this young holds only secrets that nobody has seen, so all of them go.
    const unseen = created.initialSecret
      ? [created.initialSecret.id]
      : (await this.o.adh.listSecrets(request.clientId)).map((s) => s.Id);
    for (const secretId of unseen) await this.o.adh.deleteSecret(request.clientId, secretId);
    return true;
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
    const existing = await this.o.adh.getHybridClient(request.clientId);
    if (!existing || existing.Name !== request.client.name) throw error;
    return { client: existing, existed: true };
  }

  private async checkRotation(clientId: string): Promise<string | null> {
    const client = await this.o.adh.getHybridClient(clientId);
    if (!client) {
      return `There is no hybrid client with Id ${clientId} in this tenant. \`/hybrid-client list\` shows the clients.`;
    }
    const secrets = await this.o.adh.listSecrets(clientId);
    if (secrets.length >= MAX_SECRETS_PER_CLIENT) {
      return `Client ${clientId} already holds ${MAX_SECRETS_PER_CLIENT} secrets, the most ADH allows. Delete an old secret in the portal (Security > Clients > Hybrid Clients), then Retry.`;
    }
    return null;
  }

  /** The "created" DM could not be sent: the request fails visibly, and Retry sends it. */
  private async failDelivery(requestId: string, cause: unknown): Promise<void> {
    const message = `The client was created, but the message with the Reveal button could not be sent to the requester (${describeError(cause)}). Retry sends it again.`;
    const failed = await this.change(requestId, (r) =>
      result(machine.failDelivery(r, { message, at: this.now() }, this.now())),
    );
    if (!failed.ok) return;
    this.audit("request.failed", failed.request, "system", { error: message });
    await this.announce(failed.request, "failed");
  }

  private async fail(requestId: string, error: Omit<RequestError, "at">): Promise<void> {
    const failed = await this.change(requestId, (r) =>
      result(machine.markFailed(r, { ...error, at: this.now() }, this.now())),
    );
    if (!failed.ok) return;
    this.audit("request.failed", failed.request, "system", {
      error: error.message,
      operationId: error.operationId,
    });
    await this.announce(failed.request, "failed");
  }

  /** The requester's one reveal: mints a fresh secret and returns it for the click's answer. */
  async reveal(requestId: string, userId: string): Promise<RevealOutcome> {
    const claimed = await this.change(requestId, (r) =>
      result(machine.beginReveal(r, userId, this.now())),
    );
    if (!claimed.ok) return { ok: false, refusal: claimed.result ?? { code: "nothing-changed" } };
    const request = claimed.request;
    let minted: Awaited<ReturnType<AdhPort["addSecret"]>>;
    // Secrets already on the client: after a mint that may have been applied, any other
    // one is ours, and nobody will ever see its value.
    let known: Set<number> | undefined;
    try {
      known = new Set((await this.o.adh.listSecrets(request.clientId)).map((s) => s.Id));
      minted = await this.o.adh.addSecret(request.clientId, {
        Description: request.secret.description,
        Expiration: request.secret.expiration,
      });
    } catch (error) {
      const problem = toRequestError(error, this.now());
      const before = known;
      if (before && mayHaveApplied(error)) {
        await this.safely("remove a secret minted but never shown", async () => {
          for (const s of await this.o.adh.listSecrets(request.clientId)) {
            if (!before.has(s.Id)) await this.o.adh.deleteSecret(request.clientId, s.Id);
          }
        });
      }
      await this.withStorageRetries(() =>
        this.change(requestId, (r) => result(machine.abortReveal(r, problem, this.now()))),
      );
      await this.safely("update DM", async () => {
        const current = await this.o.store.get(requestId);
        if (current) await this.o.notifier.updateDm(current.request);
      });
      return {
        ok: false,
        mintFailed: problem.message,
      };
    }
    let done: Awaited<ReturnType<typeof this.change<machine.Refusal | null>>>;
    try {
      done = await this.withStorageRetries(() =>
        this.change(requestId, (r) =>
          result(machine.finishReveal(r, minted.secret.Id, this.now())),
        ),
      );
    } catch (error) {
      // Not recorded means not shown: the secret must not stay live unseen.
      await this.safely("remove a secret minted but never shown", () =>
        this.o.adh.deleteSecret(request.clientId, minted.secret.Id),
      );
      throw error;
    }
    if (!done.ok) {
      // Another click took this reveal over (this mint outlived its lease) and shows its
      // own secret: this one is never shown, and must not stay live.
      await this.safely("remove a secret minted but never shown", () =>
        this.o.adh.deleteSecret(request.clientId, minted.secret.Id),
      );
      return { ok: false, refusal: done.result ?? { code: "nothing-changed" } };
    }
    const revealed = done.request;
    this.audit("secret.revealed", revealed, userId, { secretId: minted.secret.Id });
    await this.safely("update DM", () => this.o.notifier.updateDm(revealed));
    await this.safely("track secret", () =>
      this.o.tracker.trackMintedSecret({
        clientId: request.clientId,
        clientName: request.client.name,
        secretId: minted.secret.Id,
        description: request.secret.description,
        expiration: minted.secret.Expiration ?? request.secret.expiration,
        channel: request.reminderChannel,
      }),
    );
    return {
      ok: true,
      clientId: request.clientId,
      clientName: request.client.name,
      secret: minted.value,
      secretId: minted.secret.Id,
      expiration: minted.secret.Expiration ?? request.secret.expiration,
    };
  }

  async saveDraft(key: string, draft: FormDraft): Promise<void> {
    await this.o.store.saveDraft(key, draft);
  }

  async loadDraft(key: string): Promise<FormDraft | null> {
    const parsed = FormDraft.safeParse(await this.o.store.loadDraft(key));
    return parsed.success ? parsed.data : null;
  }

  /** Pane 2 submitted: the draft plus the secret details become a pending request. */
  async submitDraft(key: string, userId: string, secret: SecretDetails) {
    const draft = await this.loadDraft(key);
    if (!draft || draft.requesterId !== userId) {
      return {
        ok: false as const,
        message:
          "This form is more than an hour old and was not kept. Nothing was submitted; please start again.",
      };
    }
    const submitted = await this.submit({ ...draft, secret });
    if (submitted.ok) await this.o.store.deleteDraft(key);
    return submitted;
  }

  /**
   * Can this client get one more secret? Checked before the form opens, so a client
   * at ADH's limit of 10 gets an explanation instead of a failing approval.
   */
  async prepareRotation(
    clientId: string,
  ): Promise<{ ok: true; clientName: string } | { ok: false; message: string }> {
    if (!GUID.test(clientId)) {
      // Not echoed: it is user-typed text, and these messages are shown as mrkdwn.
      return {
        ok: false,
        message:
          "That is not a client id. Client ids look like 3f2504e0-4f89-11d3-9a0c-0305e82c3301; `/hybrid-client list` shows them.",
      };
    }
    try {
      const problem = await this.checkRotation(clientId);
      if (problem) return { ok: false, message: problem };
      const client = await this.o.adh.getHybridClient(clientId);
      return { ok: true, clientName: client?.Name ?? clientId };
    } catch (error) {
      return {
        ok: false,
        message: `AVEVA Data Hub could not be reached to look up the client (${describeError(error)}). Nothing was submitted; try again in a few minutes.`,
      };
    }
  }

  /**
   * The secret could not be delivered to the click (Slack refused the response_url):
   * nobody saw it, so it is deleted and the Reveal button offered again.
   */
  async revokeUndelivered(requestId: string, userId: string, secretId: number): Promise<void> {
    const stored = await this.o.store.get(requestId);
    if (!stored || stored.request.requesterId !== userId) return;
    await this.o.adh.deleteSecret(stored.request.clientId, secretId);
    const undone = await this.change(requestId, (r) =>
      result(machine.undoReveal(r, secretId, this.now())),
    );
    if (!undone.ok) return;
    this.audit("secret.revoked-undelivered", undone.request, "system", { secretId });
    await this.safely("update DM", () => this.o.notifier.updateDm(undone.request));
  }

  openRequestsOf(userId: string): Promise<HybridClientRequest[]> {
    return this.o.store.openRequestsOf(userId);
  }

  /**
   * Graceful shutdown: waits for background completions, bounded by timeoutMs. Work cut
   * short after this is left in a state the next start recovers.
   */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    this.stopping = true;
    const all = Promise.allSettled([...this.inFlight]).then(() => true);
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), timeoutMs).unref(),
    );
    return Promise.race([all, timeout]);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error) => {
      this.o.logger.error({ err: describeError(error) }, "background work failed");
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async change<R>(id: string, change: Change<R>) {
    try {
      return await this.o.store.update(id, change);
    } catch (error) {
      if (error instanceof RequestNotFoundError) {
        return { ok: false as const, result: { code: "not-found" } as unknown as R, request: null };
      }
      throw error;
    }
  }

  private async announce(
    request: HybridClientRequest,
    event: "denied" | "expired" | "created" | "failed",
  ) {
    await this.safely("update approval message", () => this.refreshApproval(request.id));
    // "created" needs no second message: the Reveal DM itself tells the requester.
    if (event === "created") return;
    await this.safely("tell requester", () => this.o.notifier.tellRequester(request, event));
  }

  /**
   * Shows the stored state on the approvals message. Updates from two clicks (or a 429
   * retried later with its old arguments) can land out of order, so whoever finishes an
   * update reads the request again and renders once more if what it shows has changed:
   * the last update to land then always shows the latest state.
   */
  private async refreshApproval(requestId: string): Promise<void> {
    let rendered: string | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.withStorageRetries(() => this.o.store.get(requestId));
      if (!current || shownOnApproval(current.request) === rendered) return;
      try {
        await this.o.notifier.updateApproval(current.request);
        rendered = shownOnApproval(current.request);
      } catch (error) {
        // Not shown: wait as asked, then render whatever is latest by then.
        if (!(error instanceof TryAgainLater)) throw error;
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
  }

  /** Redis restarting (a second or two) should delay this work, not lose it. */
  private async withStorageRetries<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= attempts || !isRedisUnavailable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Slack being slow or down must not undo a decision already stored. */
  private async safely(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.o.logger.warn({ err: describeError(error) }, `${what} failed`);
    }
  }

  private audit(
    event: string,
    r: HybridClientRequest,
    actor: string,
    extra: Record<string, unknown> = {},
  ) {
    this.o.onEvent?.(event);
    this.o.logger.info(
      {
        audit: event,
        requestId: r.id,
        kind: r.kind,
        clientId: r.clientId,
        status: r.status,
        actor,
        ...extra,
      },
      event,
    );
  }
}

/** What the approvals message shows of a request (lease renewals and refs change nothing). */
function shownOnApproval(r: HybridClientRequest): string {
  return JSON.stringify([r.status, r.approvals, r.denial ?? null, r.error ?? null]);
}

/** A failure after which ADH may still have applied the call (5xx, timeout, no answer). */
function mayHaveApplied(error: unknown): boolean {
  if (!(error instanceof AdhError)) return true;
  return error.status === undefined || error.status === 408 || error.status >= 500;
}

/** Adapts a state-machine transition to the store's change shape. */
function result(t: { next: HybridClientRequest | null; refusal?: machine.Refusal }) {
  return { next: t.next, result: t.refusal ?? null };
}

function newRequestId(): string {
  return `R${randomBytes(8).toString("hex").toUpperCase()}`;
}

export function describeError(error: unknown): string {
  if (error instanceof AdhError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}

function toRequestError(error: unknown, now: number): RequestError {
  if (error instanceof AdhError) {
    return {
      message: error.describe(),
      status: error.status,
      operationId: error.operationId,
      at: now,
    };
  }
  return { message: describeError(error), at: now };
}
