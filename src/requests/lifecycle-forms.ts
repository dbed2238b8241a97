// The lifecycle forms' use case: read the client when the form opens and keep what was
// read (the edit's "before") under the form's key; on submit turn the form into a draft
// (an edit's diff, the secret deleted) and hand it to Submit.
import { z } from "zod";
import { ClientSecretSchema, HybridClientSchema } from "../adh/schemas.js";
import type { RequestEngine } from "./engine.js";
import {
  diffEdit,
  editableOf,
  LIFECYCLE_KINDS,
  type LifecycleCheck,
  type LifecycleKind,
  lifecycleDraft,
  prepareLifecycle,
} from "./lifecycle.js";
import { type EditableFields, KIND } from "./model.js";
import type { SubmitOutcome } from "./outcomes.js";
import type { AdhPort } from "./ports.js";
import type { Submit } from "./submit.js";

/** What a lifecycle form read from ADH when it opened, kept for its submit. */
const LifecycleFormDraft = z.object({
  kind: z.enum(LIFECYCLE_KINDS),
  requesterId: z.string(),
  channelId: z.string(),
  secretId: z.number().int().optional(),
  client: HybridClientSchema,
  secrets: z.array(ClientSecretSchema),
});
export type LifecycleFormDraft = z.infer<typeof LifecycleFormDraft>;

export type LifecycleSubmitRefusal =
  | { code: "nothing-changed" }
  | { code: "draft-expired" }
  | { code: "name-mismatch" };

export type LifecycleSubmitOutcome =
  | SubmitOutcome
  | { ok: false; refusal: LifecycleSubmitRefusal; inline: true };

export class LifecycleForms {
  constructor(
    private readonly engine: RequestEngine,
    private readonly submission: Submit,
    private readonly adh: Pick<AdhPort, "getHybridClient" | "listSecrets">,
  ) {}

  /** Reads the client for the form and keeps it under `key` (the form's private key). */
  async open(
    key: string,
    at: {
      kind: LifecycleKind;
      requesterId: string;
      channelId: string;
      clientId: string;
      secretId?: number;
    },
  ): Promise<LifecycleCheck> {
    const check = await prepareLifecycle(this.adh, at.kind, at.clientId, at.secretId);
    if (!check.ok) return check;
    const draft: LifecycleFormDraft = {
      kind: at.kind,
      requesterId: at.requesterId,
      channelId: at.channelId,
      ...(at.secretId !== undefined ? { secretId: at.secretId } : {}),
      client: check.subject.client,
      secrets: check.subject.secrets,
    };
    await this.engine.store.saveDraft(key, draft);
    return check;
  }

  async load(key: string, userId: string): Promise<LifecycleFormDraft | null> {
    const parsed = LifecycleFormDraft.safeParse(await this.engine.store.loadDraft(key));
    return parsed.success && parsed.data.requesterId === userId ? parsed.data : null;
  }

  /**
   * The submitted form becomes a pending request. Refusals marked `inline` are the
   * requester's to fix in the still-open form (nothing changed, the wrong name typed).
   */
  async submit(
    key: string,
    userId: string,
    form: { reason: string; edit?: Required<EditableFields>; confirmName?: string },
  ): Promise<LifecycleSubmitOutcome> {
    const draft = await this.load(key, userId);
    if (!draft) return { ok: false, refusal: { code: "draft-expired" } };
    const refusal = this.check(draft, form);
    if (refusal) return { ok: false, refusal, inline: true };
    const subject = { client: draft.client, secrets: draft.secrets };
    const at = { requesterId: userId, reason: form.reason, channelId: draft.channelId, subject };
    const extra =
      draft.kind === KIND.edit && form.edit
        ? { edit: diffEdit(editableOf(draft.client), form.edit) ?? undefined }
        : draft.kind === KIND.deleteClient
          ? { secretCount: draft.secrets.length }
          : draft.kind === KIND.deleteSecret
            ? { target: targetOf(draft) }
            : {};
    const submitted = await this.submission.submit(lifecycleDraft(draft.kind, at, extra));
    if (submitted.ok) await this.engine.store.deleteDraft(key);
    return submitted;
  }

  /** What can be checked without the network; also run before the form is acked. */
  check(
    draft: LifecycleFormDraft,
    form: { edit?: Required<EditableFields>; confirmName?: string },
  ): LifecycleSubmitRefusal | null {
    if (draft.kind === KIND.edit) {
      if (!form.edit || !diffEdit(editableOf(draft.client), form.edit)) {
        return { code: "nothing-changed" };
      }
    }
    if (draft.kind === KIND.deleteClient) {
      if ((form.confirmName ?? "").trim() !== (draft.client.Name ?? "").trim()) {
        return { code: "name-mismatch" };
      }
    }
    return null;
  }
}

function targetOf(draft: LifecycleFormDraft) {
  const secret = draft.secrets.find((s) => s.Id === draft.secretId);
  return {
    secretId: draft.secretId ?? -1,
    description: secret?.Description ?? "",
    expiration: secret?.Expires === false ? null : (secret?.Expiration ?? null),
    last: draft.secrets.length <= 1,
  };
}
