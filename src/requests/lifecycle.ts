// The rest of a client's life (issue 11): edit, disable, enable, delete a client, delete
// one of its secrets. Each is a request kind of its own; this file holds what the forms
// need before they open (the client as ADH has it now), the edit's diff, and the drafts.
import type { ClientSecret, HybridClient } from "../adh/schemas.js";
import type { AuditEventType } from "../store/audit-event.js";
import { describeError } from "./engine.js";
import {
  type ClientDetails,
  type EditableFields,
  type EditChange,
  type HybridClientRequest,
  KIND,
  type RequestDraft,
  type RequestKind,
} from "./model.js";
import type { AdhPort } from "./ports.js";
import { isClientId } from "./rotation.js";

export const LIFECYCLE_KINDS = [
  KIND.edit,
  KIND.disable,
  KIND.enable,
  KIND.deleteClient,
  KIND.deleteSecret,
] as const;
export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

export const isLifecycleKind = (kind: RequestKind): kind is LifecycleKind =>
  (LIFECYCLE_KINDS as readonly string[]).includes(kind);

/** The audit event each kind records once ADH has applied it. */
/** The audit event each lifecycle kind records once ADH applied it. */
export const APPLIED_EVENT: Record<LifecycleKind, AuditEventType> = {
  "edit-client": "client.updated",
  "disable-client": "client.disabled",
  "enable-client": "client.enabled",
  "delete-client": "client.deleted",
  "delete-secret": "secret.deleted",
};

/** What a lifecycle form shows when it opens, read from ADH. */
export interface LifecycleSubject {
  client: HybridClient;
  secrets: ClientSecret[];
}

export type LifecycleRefusal =
  | { code: "not-a-client-id" }
  | { code: "no-such-client"; clientId: string }
  | { code: "no-such-secret"; clientId: string }
  | { code: "already"; enabled: boolean }
  | { code: "adh-unavailable"; detail: string };

export type LifecycleCheck =
  | { ok: true; subject: LifecycleSubject }
  | { ok: false; refusal: LifecycleRefusal };

/**
 * Reads the client (and its secrets) for a form about to open. Disabling a client that is
 * already disabled (or enabling an enabled one) is refused here: no request is made.
 */
export async function prepareLifecycle(
  adh: Pick<AdhPort, "getHybridClient" | "listSecrets">,
  kind: LifecycleKind,
  clientId: string,
  secretId?: number,
): Promise<LifecycleCheck> {
  if (!isClientId(clientId)) return { ok: false, refusal: { code: "not-a-client-id" } };
  try {
    const client = await adh.getHybridClient(clientId);
    if (!client) return { ok: false, refusal: { code: "no-such-client", clientId } };
    const secrets = await adh.listSecrets(clientId);
    const enabled = client.Enabled !== false;
    if (kind === KIND.disable && !enabled) {
      return { ok: false, refusal: { code: "already", enabled } };
    }
    if (kind === KIND.enable && enabled)
      return { ok: false, refusal: { code: "already", enabled } };
    if (kind === KIND.deleteSecret && !secrets.some((s) => s.Id === secretId)) {
      return { ok: false, refusal: { code: "no-such-secret", clientId } };
    }
    return { ok: true, subject: { client, secrets } };
  } catch (error) {
    return { ok: false, refusal: { code: "adh-unavailable", detail: describeError(error) } };
  }
}

/** The client's editable fields as ADH has them (missing fields read as ADH's defaults). */
export function editableOf(client: HybridClient): Required<EditableFields> {
  return {
    name: client.Name ?? "",
    allowOfflineAccess: client.AllowOfflineAccess ?? false,
    redirectUris: [...(client.RedirectUris ?? [])],
    postLogoutRedirectUris: [...(client.PostLogoutRedirectUris ?? [])],
    accessTokenLifetime: client.AccessTokenLifetime ?? 3600,
    enabled: client.Enabled !== false,
  };
}

export const EDITABLE_KEYS = [
  "name",
  "allowOfflineAccess",
  "redirectUris",
  "postLogoutRedirectUris",
  "accessTokenLifetime",
  "enabled",
] as const satisfies readonly (keyof EditableFields)[];

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

/** Only the fields that differ; null when nothing changed. */
export function diffEdit(
  before: Required<EditableFields>,
  after: Required<EditableFields>,
): EditChange | null {
  const change: EditChange = { before: {}, after: {} };
  let changed = false;
  for (const key of EDITABLE_KEYS) {
    if (sameValue(before[key], after[key])) continue;
    changed = true;
    Object.assign(change.before, { [key]: before[key] });
    Object.assign(change.after, { [key]: after[key] });
  }
  return changed ? change : null;
}

/** The client's current details, shown on the request's card. */
export function detailsOf(client: HybridClient): ClientDetails {
  const e = editableOf(client);
  return {
    name: e.name,
    allowOfflineAccess: e.allowOfflineAccess,
    redirectUris: e.redirectUris,
    postLogoutRedirectUris: e.postLogoutRedirectUris,
    accessTokenLifetime: e.accessTokenLifetime,
  };
}

/** A lifecycle request's draft: the client as it is, plus what this kind needs. */
export function lifecycleDraft(
  kind: LifecycleKind,
  at: { requesterId: string; reason: string; channelId: string; subject: LifecycleSubject },
  extra: Pick<RequestDraft, "edit" | "secretCount" | "target"> = {},
): RequestDraft {
  return {
    kind,
    requesterId: at.requesterId,
    reason: at.reason,
    clientId: at.subject.client.Id,
    client: detailsOf(at.subject.client),
    secret: { description: "", expiration: null },
    reminderChannel: at.channelId,
    ...extra,
  };
}

/** The kind-specific fields a draft carries into its stored request. */
export function lifecycleFields(
  draft: RequestDraft,
): Pick<RequestDraft, "edit" | "secretCount" | "target"> {
  switch (draft.kind) {
    case KIND.edit:
      return { edit: draft.edit };
    case KIND.deleteClient:
      return { secretCount: draft.secretCount };
    case KIND.deleteSecret:
      return { target: draft.target };
    default:
      return {};
  }
}

export const isLifecycle = (r: HybridClientRequest): boolean => isLifecycleKind(r.kind);
