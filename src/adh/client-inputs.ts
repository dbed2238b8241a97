// What AdhClient's writes take and give beyond ADH's own schemas, and how each input is
// put on the wire.
import type { HybridClient } from "./schemas.js";

export interface CreateHybridClientInput {
  /** A GUID chosen by the caller: the idempotency key of the create. */
  Id: string;
  Name: string;
  RedirectUris: string[];
  PostLogoutRedirectUris: string[];
  AccessTokenLifetime: number;
  AllowOfflineAccess: boolean;
  SecretDescription: string;
  /** ISO 8601; null: the secret never expires. */
  SecretExpirationDate: string | null;
}

export interface CreateHybridClientResult {
  client: HybridClient;
  /** The initial secret from a fresh create (its value + id) — absent when the client already existed (409 on retry). Callers delete it at once. */
  initialSecret?: { id: number; value: string };
  /** true when a retry got 409 and the existing client was read instead. */
  existed: boolean;
}

export type HybridClientPatch = Partial<Omit<HybridClient, "Id" | "Tags">>;

/** The create body: exactly the fields ADH takes, whatever else the caller's object holds. */
export function createHybridClientBody(input: CreateHybridClientInput) {
  return {
    Id: input.Id,
    Name: input.Name,
    RedirectUris: input.RedirectUris,
    PostLogoutRedirectUris: input.PostLogoutRedirectUris,
    AccessTokenLifetime: input.AccessTokenLifetime,
    AllowOfflineAccess: input.AllowOfflineAccess,
    SecretDescription: input.SecretDescription,
    SecretExpirationDate: input.SecretExpirationDate,
  };
}

/** The update body: the patch without Tags and Id, which are never written. */
export function updateHybridClientBody(patch: HybridClientPatch) {
  // The type already leaves them out; a caller spreading a whole client must not write them.
  const {
    Tags: _tags,
    Id: _id,
    ...fields
  } = patch as HybridClientPatch & {
    Tags?: unknown;
    Id?: unknown;
  };
  return fields;
}

/** A secret without an expiration is sent with Expires false. */
export function addSecretBody(input: { Description: string; Expiration: string | null }) {
  return input.Expiration === null
    ? { Description: input.Description, Expires: false }
    : { Description: input.Description, Expiration: input.Expiration, Expires: true };
}
