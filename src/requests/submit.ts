// Submitting: the form's panes become a draft (kept in Redis between panes), the draft
// becomes a pending request, and the request is posted for approval. A rotation starts
// from an existing client, checked before its form opens.
import { randomBytes, randomUUID } from "node:crypto";
import type { Eligibility } from "./eligibility.js";
import { describeError, type RequestEngine } from "./engine.js";
import { lifecycleFields } from "./lifecycle.js";
import {
  type ClientDetails,
  FormDraft,
  HybridClientRequest,
  KIND,
  type MessageRef,
  type RequestDraft,
  type SecretDetails,
  type SecretTarget,
} from "./model.js";
import type { RotationCheck, SubmitOutcome } from "./outcomes.js";
import { approvalsNeeded, type Policy } from "./policy.js";
import type { AdhPort, NotifierPort, ReminderChannelPort } from "./ports.js";
import { isClientId, rotationRefusal } from "./rotation.js";
import * as machine from "./state-machine.js";

export interface SubmitPolicy {
  approvalsRequired: number;
  requestTtlMs: number;
  /** Tenant policy: under NEVER_EXPIRES=extra-approval a never-expiring secret needs one more approval. */
  policy?: Policy;
  /** Open requests one person may have (MAX_OPEN_REQUESTS_PER_USER); unset: no cap. */
  maxOpenRequestsPerUser?: number;
}

/** Pane 1 of "Add Client", validated: the draft of a new client. */
export function newClientDraft(
  requesterId: string,
  form: ClientDetails & { reminderChannel: string; reason: string },
): FormDraft {
  const { reminderChannel, reason, ...client } = form;
  return { kind: KIND.newClient, requesterId, reminderChannel, reason, client };
}

/** A rotation's draft: the existing client's id and name stand in for pane 1. */
export function rotationDraft(
  requesterId: string,
  at: {
    clientId: string;
    clientName: string;
    reminderChannel: string;
    replaceChoices?: SecretTarget[];
    replaceRequired?: boolean;
  },
): FormDraft {
  return {
    ...(at.replaceChoices ? { replaceChoices: at.replaceChoices } : {}),
    ...(at.replaceRequired ? { replaceRequired: true } : {}),
    kind: KIND.rotation,
    requesterId,
    reminderChannel: at.reminderChannel,
    reason: "",
    clientId: at.clientId,
    client: {
      name: at.clientName,
      allowOfflineAccess: false,
      redirectUris: [],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
  };
}

export class Submit {
  constructor(
    private readonly engine: RequestEngine,
    private readonly eligibility: Eligibility,
    private readonly ports: {
      adh: Pick<AdhPort, "getHybridClient" | "listSecrets">;
      notifier: NotifierPort;
      /** Checks a new client's Reminder channel at submit; unset: not checked. */
      channels?: ReminderChannelPort;
    },
    private readonly policy: SubmitPolicy,
  ) {}

  /** Stores a pending request and posts it for approval. */
  async submit(draft: RequestDraft): Promise<SubmitOutcome> {
    const check = await this.eligibility.check(draft.requesterId);
    if (!check.ok) {
      const { ok: _ok, ...refusal } = check;
      return { ok: false, refusal: { code: "requester", check: refusal } };
    }
    const { engine } = this;
    const limit = this.policy.maxOpenRequestsPerUser;
    if (limit !== undefined && (await this.openCount(draft.requesterId)) >= limit) {
      return { ok: false, refusal: { code: "too-many-open", limit } };
    }
    // The form's picker offers channels only, but a payload can name anything: a channel
    // the bot cannot post to would swallow every reminder, so it is refused now.
    const { channels } = this.ports;
    if (channels && draft.kind === KIND.newClient) {
      const problem = await channels.problemWith(draft.reminderChannel);
      if (problem) return { ok: false, refusal: { code: "reminder-channel", problem } };
    }
    const now = engine.now();
    // Parsed so that each kind's own fields (an edit's diff, a deleted secret) are checked.
    const request: HybridClientRequest = HybridClientRequest.parse({
      ...lifecycleFields(draft),
      ...(draft.kind === KIND.rotation && draft.retire ? { retire: draft.retire } : {}),
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
      expiresAt: now + this.policy.requestTtlMs,
      approvalsRequired: this.policy.policy
        ? approvalsNeeded(
            this.policy.approvalsRequired,
            this.policy.policy,
            draft.secret.expiration === null,
          )
        : this.policy.approvalsRequired,
      approvals: [],
      reveal: "none",
      updatedAt: now,
    });
    await engine.create(request, {
      type: "request.submitted",
      actor: draft.requesterId,
      ...(check.adhUserId ? { adhUserId: check.adhUserId } : {}),
      details: (r) => ({
        clientName: r.client.name,
        expiration: r.secret.expiration,
        approvalsRequired: r.approvalsRequired,
      }),
    });
    // Two submits at once both passed the check above: counted again once stored, the
    // one over the cap withdraws itself before anyone sees it.
    if (limit !== undefined && (await this.openCount(draft.requesterId)) > limit) {
      await engine.transition(request.id, (r) => machine.cancel(r, r.requesterId, engine.now()), {
        type: "request.cancelled",
        actor: "system",
        details: () => ({ reason: "too-many-open" }),
      });
      return { ok: false, refusal: { code: "too-many-open", limit } };
    }
    let current: HybridClientRequest;
    let ref: MessageRef | undefined;
    try {
      ref = await this.ports.notifier.postApproval(request);
      const at = ref;
      // Without the reference no decision could update the message: worth waiting for.
      const posted = await engine.withStorageRetries(() =>
        engine.change(request.id, (r) => machine.attachApprovalMessage(r, at, engine.now())),
      );
      current = posted.ok ? posted.request : request;
    } catch (error) {
      // Approvers would never see it: withdraw it rather than leave it dangling.
      const withdrawn = await engine.change(request.id, (r) =>
        machine.cancel(r, r.requesterId, engine.now()),
      );
      // Posted but not recorded: its buttons are live, so show them the withdrawal.
      const at = ref;
      if (at && withdrawn.ok) {
        await engine.safely("update approval message", () =>
          this.ports.notifier.updateApproval({ ...withdrawn.request, approvalMessage: at }),
        );
      }
      engine.logger.error(
        { err: describeError(error), requestId: request.id },
        "approval post failed",
      );
      return {
        ok: false,
        refusal: { code: "approval-post-failed", detail: describeError(error) },
      };
    }
    // The approvers already see it: a lost receipt must not withdraw it.
    await engine.safely("tell requester", () =>
      this.ports.notifier.tellRequester(current, "submitted"),
    );
    return { ok: true, request: current };
  }

  /** One SCARD, not a read of every open request: the cap is checked on every submit. */
  private openCount(userId: string): Promise<number> {
    return this.engine.store.openCountOf(userId);
  }

  async saveDraft(key: string, draft: FormDraft): Promise<void> {
    await this.engine.store.saveDraft(key, draft);
  }

  async loadDraft(key: string): Promise<FormDraft | null> {
    const parsed = FormDraft.safeParse(await this.engine.store.loadDraft(key));
    return parsed.success ? parsed.data : null;
  }

  /** Pane 2 submitted: the draft plus the secret details become a pending request. */
  async submitDraft(
    key: string,
    userId: string,
    secret: SecretDetails,
    /** Rotation: the Replace secret choice (issue 11 item 5). */
    replaceSecretId?: number,
  ): Promise<SubmitOutcome> {
    const draft = await this.loadDraft(key);
    if (!draft || draft.requesterId !== userId) {
      return { ok: false, refusal: { code: "draft-expired" } };
    }
    // Only a secret the form offered: the id comes back from Slack.
    const choice = draft.replaceChoices?.find((c) => c.secretId === replaceSecretId);
    if (draft.replaceRequired && !choice) {
      return { ok: false, refusal: { code: "replace-required" } };
    }
    const retire = choice && {
      secretId: choice.secretId,
      description: choice.description,
      expiration: choice.expiration,
      first: draft.replaceRequired === true,
    };
    const submitted = await this.submit({ ...draft, secret, ...(retire ? { retire } : {}) });
    if (submitted.ok) await this.engine.store.deleteDraft(key);
    return submitted;
  }

  /**
   * Can this client get one more secret? Checked before the form opens, so a client
   * at ADH's limit of 10 gets an explanation instead of a failing approval.
   */
  async prepareRotation(clientId: string): Promise<RotationCheck> {
    // Not echoed back: it is user-typed text.
    if (!isClientId(clientId)) return { ok: false, refusal: { code: "not-a-client-id" } };
    try {
      const refusal = await rotationRefusal(this.ports.adh, clientId);
      // At the limit the form still opens: retiring one secret first makes room.
      const full = refusal?.code === "secret-limit";
      if (refusal && !full) return { ok: false, refusal };
      const client = await this.ports.adh.getHybridClient(clientId);
      const name = client?.Name ?? clientId;
      return full
        ? { ok: true, clientName: name, replaceRequired: true }
        : { ok: true, clientName: name };
    } catch (error) {
      return { ok: false, refusal: { code: "adh-unavailable", detail: describeError(error) } };
    }
  }
}

function newRequestId(): string {
  return `R${randomBytes(8).toString("hex").toUpperCase()}`;
}
