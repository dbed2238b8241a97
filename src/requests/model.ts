// The request model: what a requester asked for, who decided, and where it stands.
// Stored as JSON in Redis; parsed with zod on every read. It never holds a secret value.
import { z } from "zod";

/**
 * A new hybrid client, or a new secret for an existing one ("rotation" in code). The
 * stored values stay as they were so that requests in flight survive an upgrade.
 */
export const KIND = {
  newClient: "new-client",
  rotation: "new-secret",
  // The rest of a client's life (issue 11): see lifecycle.ts.
  edit: "edit-client",
  disable: "disable-client",
  enable: "enable-client",
  deleteClient: "delete-client",
  deleteSecret: "delete-secret",
} as const;
export const RequestKind = z.enum([
  KIND.newClient,
  KIND.rotation,
  KIND.edit,
  KIND.disable,
  KIND.enable,
  KIND.deleteClient,
  KIND.deleteSecret,
]);
export type RequestKind = z.infer<typeof RequestKind>;

/**
 * pending  → (approvals complete) creating → created
 *          → denied | cancelled | expired            (terminal)
 * creating → failed (ADH kept failing; approvers may Retry → creating)
 * created is terminal for the decision; the reveal has its own small machine.
 */
export const RequestStatus = z.enum([
  "pending",
  "creating",
  "created",
  "failed",
  "denied",
  "cancelled",
  "expired",
]);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const TERMINAL_STATUSES: readonly RequestStatus[] = [
  "created",
  "denied",
  "cancelled",
  "expired",
];
export const OPEN_STATUSES: readonly RequestStatus[] = ["pending", "creating", "failed"];

/** Pane 1, "Add Client": the portal's fields. */
export const ClientDetails = z.object({
  name: z.string(),
  allowOfflineAccess: z.boolean(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  accessTokenLifetime: z.number().int(),
});
export type ClientDetails = z.infer<typeof ClientDetails>;

/** Pane 2, "Create Secret". `expiration` null means Never Expires. */
export const SecretDetails = z.object({
  description: z.string(),
  expiration: z.string().nullable(),
});
export type SecretDetails = z.infer<typeof SecretDetails>;

// Lua's cjson encodes an empty array as {}: accept both.
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v && typeof v === "object" && !Array.isArray(v) ? [] : v), z.array(item));

export const Decision = z.object({ userId: z.string(), at: z.number() });
export type Decision = z.infer<typeof Decision>;

export const MessageRef = z.object({ channel: z.string(), ts: z.string() });
export type MessageRef = z.infer<typeof MessageRef>;

/**
 * Why a request failed, as a code; `message` holds the detail (ADH's answer, the email
 * looked up, the client id). Requests stored before codes existed carry only a message.
 */
export const FailureCode = z.enum([
  "requester-no-email",
  "requester-unknown-user",
  "requester-not-admin",
  "requester-adh-unavailable",
  "no-such-client",
  "secret-limit",
  "dm-undelivered",
  "changed-in-adh",
  "policy-refused",
  /** A client under the request's Id exists and is not what was approved (not adopted). */
  "foreign-client",
]);
export type FailureCode = z.infer<typeof FailureCode>;

export const RequestError = z.object({
  code: FailureCode.optional(),
  message: z.string(),
  status: z.number().optional(),
  operationId: z.string().optional(),
  at: z.number(),
});
export type RequestError = z.infer<typeof RequestError>;

/** ready: Reveal button usable; minting: one click is minting now; revealed: done, once. */
export const RevealState = z.enum(["none", "ready", "minting", "revealed"]);
export type RevealState = z.infer<typeof RevealState>;

/** What every kind of request shares: who asked, who decided, where it stands. */
const RequestBase = z.object({
  id: z.string(),
  status: RequestStatus,
  requesterId: z.string(),
  reason: z.string(),
  /** ADH client Id: generated at submit for new clients (the idempotency key). */
  clientId: z.string(),
  /** New clients: the form. New secrets: the existing client's name, for display. */
  client: ClientDetails,
  secret: SecretDetails,
  reminderChannel: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  approvalsRequired: z.number().int(),
  approvals: list(Decision),
  denial: z
    .object({ userId: z.string(), at: z.number(), reason: z.string() })
    .nullable()
    .optional(),
  cancelledAt: z.number().nullable().optional(),
  error: RequestError.nullable().optional(),
  approvalMessage: MessageRef.nullable().optional(),
  dm: MessageRef.nullable().optional(),
  reveal: RevealState,
  revealedAt: z.number().nullable().optional(),
  /** ADH id of the secret minted at reveal (for reminders), never its value. */
  revealedSecretId: z.number().nullable().optional(),
  updatedAt: z.number(),
});

/** A new hybrid client, created in ADH under the Id generated at submit. */
export const NewClientRequest = RequestBase.extend({ kind: z.literal(KIND.newClient) });
export type NewClientRequest = z.infer<typeof NewClientRequest>;

/**
 * The secret a rotation retires (issue 11 item 5), as shown when the form opened. `first`:
 * the client was at ADH's limit, so the applier deletes it before the new one is minted;
 * otherwise the requester deletes it with Delete old secret after the reveal.
 */
export const RetireTarget = z.object({
  secretId: z.number().int(),
  description: z.string(),
  expiration: z.string().nullable(),
  first: z.boolean(),
});
export type RetireTarget = z.infer<typeof RetireTarget>;

/** One more secret for an existing client. */
export const RotationRequest = RequestBase.extend({
  kind: z.literal(KIND.rotation),
  // Optional: rotations stored before item 5 retire nothing.
  retire: RetireTarget.optional(),
  /** When Delete old secret removed `retire` (epoch ms). */
  retiredAt: z.number().optional(),
});
export type RotationRequest = z.infer<typeof RotationRequest>;

/**
 * The fields an edit may change, in the form's words. `before` holds what ADH had when
 * the form opened (only the changed fields), `after` what the requester asked for.
 */
export const EditableFields = z.object({
  name: z.string().optional(),
  allowOfflineAccess: z.boolean().optional(),
  redirectUris: list(z.string()).optional(),
  postLogoutRedirectUris: list(z.string()).optional(),
  accessTokenLifetime: z.number().int().optional(),
  enabled: z.boolean().optional(),
});
export type EditableFields = z.infer<typeof EditableFields>;
export const EditChange = z.object({ before: EditableFields, after: EditableFields });
export type EditChange = z.infer<typeof EditChange>;

/** The secret a delete-secret request removes, as shown when the form opened. */
export const SecretTarget = z.object({
  secretId: z.number().int(),
  description: z.string(),
  expiration: z.string().nullable(),
  /** It was the client's only secret: approvers are warned. */
  last: z.boolean(),
});
export type SecretTarget = z.infer<typeof SecretTarget>;

// The kinds' own fields are optional in the schema only so that code building a request
// generically still type-checks; submit always sets them and the appliers refuse without.
/** Changes the client's settings: a PUT with the changed fields only. */
export const EditRequest = RequestBase.extend({
  kind: z.literal(KIND.edit),
  edit: EditChange.optional(),
});
/** No new sign-ins: a PUT with Enabled false. */
export const DisableRequest = RequestBase.extend({ kind: z.literal(KIND.disable) });
export const EnableRequest = RequestBase.extend({ kind: z.literal(KIND.enable) });
/** Deletes the client; `secretCount` is what the form showed. */
export const DeleteClientRequest = RequestBase.extend({
  kind: z.literal(KIND.deleteClient),
  secretCount: z.number().int().optional(),
});
export const DeleteSecretRequest = RequestBase.extend({
  kind: z.literal(KIND.deleteSecret),
  target: SecretTarget.optional(),
});

/** The union of request kinds: a new kind adds a variant here (see README). */
export const HybridClientRequest = z.discriminatedUnion("kind", [
  NewClientRequest,
  RotationRequest,
  EditRequest,
  DisableRequest,
  EnableRequest,
  DeleteClientRequest,
  DeleteSecretRequest,
]);
export type HybridClientRequest = z.infer<typeof HybridClientRequest>;

/** What a submitted form carries before it becomes a stored request. */
export interface RequestDraft {
  kind: RequestKind;
  requesterId: string;
  reason: string;
  clientId?: string;
  client: ClientDetails;
  secret: SecretDetails;
  reminderChannel: string;
  /** Lifecycle kinds only: what their variant needs (see lifecycle.ts). */
  edit?: EditChange;
  secretCount?: number;
  target?: SecretTarget;
  /** Rotation only: the secret it also retires. */
  retire?: RetireTarget;
}

/**
 * What the form has collected between panes, kept in Redis under a random key that
 * travels in the modal's private_metadata. Pane 1 fills `client`; a rotation starts
 * with the existing client's id and name instead.
 */
export const FormDraft = z.object({
  kind: RequestKind,
  requesterId: z.string(),
  reminderChannel: z.string(),
  reason: z.string().default(""),
  clientId: z.string().optional(),
  client: ClientDetails,
  /** Rotation: the client's secrets the Replace secret select offered. */
  replaceChoices: z.array(SecretTarget).optional(),
  /** Rotation of a client at ADH's limit: a Replace secret choice is required. */
  replaceRequired: z.boolean().optional(),
});
export type FormDraft = z.infer<typeof FormDraft>;
