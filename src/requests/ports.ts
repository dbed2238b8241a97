// The narrow ports the workflow talks through. Slack, ADH and Redis implement them;
// tests can record them. Nothing here knows about Bolt or HTTP.
import type {
  CreateHybridClientInput,
  CreateHybridClientResult,
  HybridClientPatch,
} from "../adh/client.js";
import type { ClientSecret, HybridClient } from "../adh/schemas.js";
import type { HybridClientRequest, MessageRef } from "./model.js";

export interface AdhPort {
  createHybridClient(input: CreateHybridClientInput): Promise<CreateHybridClientResult>;
  getHybridClient(clientId: string): Promise<HybridClient | null>;
  listSecrets(clientId: string): Promise<ClientSecret[]>;
  addSecret(
    clientId: string,
    input: { Description: string; Expiration: string | null },
  ): Promise<{ secret: ClientSecret; value: string }>;
  deleteSecret(clientId: string, secretId: number): Promise<void>;
  /** Lifecycle kinds: unset fields stay unchanged; a client already gone counts as deleted. */
  updateHybridClient(clientId: string, patch: HybridClientPatch): Promise<HybridClient>;
  deleteHybridClient(clientId: string): Promise<void>;
  isTenantAdministrator(userId: string): Promise<boolean>;
}

export interface UserDirectoryPort {
  findUserByEmail(email: string): Promise<{ id: string; name?: string } | null>;
}

/** Who a Slack user is, and who may decide. */
export interface SlackPeoplePort {
  emailOf(slackUserId: string): Promise<string | null>;
  isApprover(slackUserId: string): Promise<boolean>;
}

/** What the requester is told, beyond the approvals message. */
export type RequesterEvent =
  | "submitted"
  | "denied"
  | "expired"
  | "created"
  | "failed"
  | "approved"
  | "cancelled"
  | "retried";

/**
 * Slack asked us to slow down (or did not answer): nothing was shown, try again after
 * `retryAfterMs`. Thrown by `updateApproval`, which never retries by itself, so that a
 * retry always renders the latest state instead of replaying an old one.
 */
export class TryAgainLater extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`try again in ${retryAfterMs} ms`);
    this.name = "TryAgainLater";
  }
}

export interface NotifierPort {
  postApproval(request: HybridClientRequest): Promise<MessageRef>;
  updateApproval(request: HybridClientRequest): Promise<void>;
  tellRequester(request: HybridClientRequest, event: RequesterEvent): Promise<void>;
  /** The "Client created" DM with the Reveal secret button. */
  sendCreatedDm(request: HybridClientRequest): Promise<MessageRef>;
  updateDm(request: HybridClientRequest): Promise<void>;
}

/** A secret the bot minted: what expiry reminders need (never its value). */
export interface MintedSecret {
  clientId: string;
  clientName: string;
  secretId: number;
  description: string;
  /** ISO 8601; null when it never expires. */
  expiration: string | null;
  /** The team's reminder channel, chosen in the form. */
  channel: string;
}

/** Where minted secrets are tracked for expiry reminders. */
export interface SecretTrackerPort {
  trackMintedSecret(secret: MintedSecret): Promise<void>;
  /** A deleted client's or secret's reminders stop (issue 11). */
  untrackClient?(clientId: string): Promise<void>;
  untrackSecret?(clientId: string, secretId: number): Promise<void>;
}

/** Created requests whose secret the requester has not revealed yet, per requester. */
export interface UnrevealedPort {
  add(userId: string, requestId: string, deadline: number): Promise<void>;
  remove(userId: string, requestId: string): Promise<void>;
  of(userId: string, now: number): Promise<string[]>;
}

/** Can the bot post reminders to this channel? null: yes (or it could not tell). */
export interface ReminderChannelPort {
  problemWith(channelId: string): Promise<"not-found" | "not-a-channel" | "not-member" | null>;
}
