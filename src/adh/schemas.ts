// Shapes of what ADH sends back, parsed with zod at the boundary. ADH omits null
// properties ("null omission"), so every field but the identifiers may be missing;
// an explicit null is treated the same as a missing field.
import { z } from "zod";

export const TENANT_ADMINISTRATOR_ROLE_TYPE_ID = "2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f";

export interface HybridClient {
  Id: string;
  Name?: string;
  Enabled?: boolean;
  RedirectUris: string[];
  PostLogoutRedirectUris: string[];
  AccessTokenLifetime?: number;
  /** May request refresh tokens; the portal calls it "Allow Refresh Token". */
  AllowOfflineAccess?: boolean;
  ClientUri?: string;
  LogoUri?: string;
  AllowAccessTokensViaBrowser?: boolean;
  /** Reserved for AVEVA's internal use: read, never written. */
  Tags?: string[];
}

export interface ClientSecret {
  Id: number;
  Description?: string;
  /** ISO 8601; null when the secret never expires. */
  Expiration: string | null;
  Expires: boolean;
}

export interface AdhUser {
  Id: string;
  Name?: string;
  GivenName?: string;
  Surname?: string;
  Email?: string;
  ContactEmail?: string;
  ExternalUserId?: string;
  IdentityProviderId?: string;
  RoleIds: string[];
}

export interface AdhRole {
  Id: string;
  Name?: string;
  Description?: string;
  RoleScope?: string | number;
  TenantId?: string;
  /** Identifies built-in roles across tenants (role Ids differ per tenant). */
  RoleTypeId?: string;
}

/** Drops null-valued properties so `.optional()` and `.default()` treat them as omitted. */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

const lenientObject = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.preprocess(withoutNulls, z.object(shape));

const stringArray = z.preprocess((v) => (v === null ? undefined : v), z.array(z.string()));

export const HybridClientSchema: z.ZodType<HybridClient> = lenientObject({
  Id: z.string().min(1),
  Name: z.string().optional(),
  Enabled: z.boolean().optional(),
  RedirectUris: stringArray.default([]),
  PostLogoutRedirectUris: stringArray.default([]),
  AccessTokenLifetime: z.number().optional(),
  AllowOfflineAccess: z.boolean().optional(),
  ClientUri: z.string().optional(),
  LogoUri: z.string().optional(),
  AllowAccessTokensViaBrowser: z.boolean().optional(),
  Tags: stringArray.optional(),
});

export const ClientSecretSchema: z.ZodType<ClientSecret> = lenientObject({
  Id: z.number().int(),
  Description: z.string().optional(),
  Expiration: z.string().nullable().default(null),
  Expires: z.boolean().default(true),
});

export const AdhUserSchema: z.ZodType<AdhUser> = lenientObject({
  Id: z.string().min(1),
  Name: z.string().optional(),
  GivenName: z.string().optional(),
  Surname: z.string().optional(),
  Email: z.string().optional(),
  ContactEmail: z.string().optional(),
  ExternalUserId: z.string().optional(),
  IdentityProviderId: z.string().optional(),
  RoleIds: stringArray.default([]),
});

export const AdhRoleSchema: z.ZodType<AdhRole> = lenientObject({
  Id: z.string().min(1),
  Name: z.string().optional(),
  Description: z.string().optional(),
  RoleScope: z.union([z.string(), z.number()]).optional(),
  TenantId: z.string().optional(),
  RoleTypeId: z.string().optional(),
});

/** 201 from POST …/HybridClients: the client plus its first secret (value shown only here). */
export const CreateHybridClientResponseSchema = lenientObject({
  Secret: z.string().min(1),
  Id: z.number().int(),
  Description: z.string().optional(),
  ExpirationDate: z.string().optional(),
  Client: HybridClientSchema,
});

/** 201 from POST …/Secrets: the secret object plus its value (shown only here). */
export const AddSecretResponseSchema = lenientObject({
  Id: z.number().int(),
  Description: z.string().optional(),
  Expiration: z.string().nullable().default(null),
  Expires: z.boolean().default(true),
  Secret: z.string().min(1),
});

export const TokenResponseSchema = lenientObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});

/** ADH error body; the OAuth fields come from the token endpoint. Everything optional. */
export const ErrorBodySchema = lenientObject({
  OperationId: z.string().optional(),
  Error: z.string().optional(),
  Reason: z.string().optional(),
  Resolution: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
