// AdhClient: the ADH identity operations the bot uses — hybrid clients, their secrets,
// users and roles — as typed methods over the reliable transport.
import type { Logger } from "pino";
import { z } from "zod";
import {
  AddSecretResponseSchema,
  type AdhRole,
  AdhRoleSchema,
  type AdhUser,
  AdhUserSchema,
  type ClientSecret,
  ClientSecretSchema,
  CreateHybridClientResponseSchema,
  type HybridClient,
  HybridClientSchema,
  TENANT_ADMINISTRATOR_ROLE_TYPE_ID,
} from "./schemas.js";
import { type AdhReply, AdhTransport } from "./transport.js";

export interface AdhClientOptions {
  baseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** Defaults: 5 attempts, 200 ms base, 5000 ms max delay, 30000 ms total per call. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; deadlineMs?: number };
  /** Defaults: connect 5000 ms, headers 10000 ms, body 10000 ms. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** Observer for metrics: called once per HTTP attempt. */
  onCall?: (call: { route: string; status: number | "network"; durationMs: number }) => void;
  /** Items per page; default 100 for clients and secrets, 1000 for users (max 1000). */
  pageSize?: number;
  /** Clock used for token expiry (tests). Default Date.now. */
  now?: () => number;
}

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

const MAX_PAGE = 1000;
const HybridClientList = z.array(HybridClientSchema);
const ClientSecretList = z.array(ClientSecretSchema);
const AdhUserList = z.array(AdhUserSchema);
const AdhRoleList = z.array(AdhRoleSchema);

const seg = encodeURIComponent;

export class AdhClient {
  private readonly transport: AdhTransport;
  private readonly pageSize: { clients: number; users: number };
  /** The bot's own client-credentials client, whose roles botIsTenantAdministrator reads. */
  private readonly clientId: string;

  constructor(options: AdhClientOptions) {
    this.clientId = options.clientId;
    this.transport = new AdhTransport({
      baseUrl: options.baseUrl,
      tenantId: options.tenantId,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      logger: options.logger,
      retry: {
        maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 5),
        baseDelayMs: options.retry?.baseDelayMs ?? 200,
        maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
        deadlineMs: options.retry?.deadlineMs ?? 30_000,
      },
      timeouts: {
        connectMs: options.timeouts?.connectMs ?? 5_000,
        headersMs: options.timeouts?.headersMs ?? 10_000,
        bodyMs: options.timeouts?.bodyMs ?? 10_000,
      },
      onCall: options.onCall,
      now: options.now ?? Date.now,
    });
    const size = (fallback: number) =>
      Math.min(MAX_PAGE, Math.max(1, Math.floor(options.pageSize ?? fallback)));
    this.pageSize = { clients: size(100), users: size(1000) };
  }

  /** The bearer token: cached, refreshed when < 5 min (or < 10 % of a short lifetime) remains. */
  getToken(): Promise<string> {
    return this.transport.getToken();
  }

  close(graceMs?: number): Promise<void> {
    return this.transport.close(graceMs);
  }

  // ── hybrid clients ────────────────────────────────────────────────────────────

  listHybridClientsPage(
    skip: number,
    count: number,
  ): Promise<{ items: HybridClient[]; total: number }> {
    return this.page("GET /HybridClients", "/HybridClients", HybridClientList, skip, count);
  }

  listHybridClients(): Promise<HybridClient[]> {
    return this.allPages(
      "GET /HybridClients",
      "/HybridClients",
      HybridClientList,
      this.pageSize.clients,
    );
  }

  async getHybridClient(clientId: string): Promise<HybridClient | null> {
    const route = "GET /HybridClients/:id";
    const reply = await this.transport.send({
      route,
      method: "GET",
      path: `/HybridClients/${seg(clientId)}`,
      retry: "idempotent",
      passStatuses: [404],
    });
    if (reply.status === 404) return null;
    return this.transport.parse(HybridClientSchema, reply, route);
  }

  /**
   * Creates the client under the caller's Id. Because the Id makes a repeat harmless, the
   * call is retried like a read; a 409 after an attempt that may have gone through means
   * our own earlier attempt created it, so the client is read back (existed: true).
   */
  async createHybridClient(input: CreateHybridClientInput): Promise<CreateHybridClientResult> {
    const route = "POST /HybridClients";
    const reply = await this.transport.send({
      route,
      method: "POST",
      path: "/HybridClients",
      json: {
        Id: input.Id,
        Name: input.Name,
        RedirectUris: input.RedirectUris,
        PostLogoutRedirectUris: input.PostLogoutRedirectUris,
        AccessTokenLifetime: input.AccessTokenLifetime,
        AllowOfflineAccess: input.AllowOfflineAccess,
        SecretDescription: input.SecretDescription,
        SecretExpirationDate: input.SecretExpirationDate,
      },
      retry: "idempotent",
      passStatuses: [409],
    });
    if (reply.status === 409) {
      // A 409 on a clean first attempt (or after 401/429, which apply nothing) is a real conflict.
      if (!reply.earlierAttemptMayHaveApplied) throw this.transport.errorFrom(route, reply);
      const existing = await this.getHybridClient(input.Id);
      if (existing === null) throw this.transport.errorFrom(route, reply);
      return { client: existing, existed: true };
    }
    const created = this.transport.parse(CreateHybridClientResponseSchema, reply, route);
    return {
      client: created.Client,
      initialSecret: { id: created.Id, value: created.Secret },
      existed: false,
    };
  }

  /** Changes the given fields; fields left out stay as they are. Tags are never written. */
  async updateHybridClient(clientId: string, patch: HybridClientPatch): Promise<HybridClient> {
    const route = "PUT /HybridClients/:id";
    // The type already leaves them out; a caller spreading a whole client must not write them.
    const {
      Tags: _tags,
      Id: _id,
      ...fields
    } = patch as HybridClientPatch & {
      Tags?: unknown;
      Id?: unknown;
    };
    const reply = await this.transport.send({
      route,
      method: "PUT",
      path: `/HybridClients/${seg(clientId)}`,
      json: fields,
      retry: "idempotent",
    });
    return this.transport.parse(HybridClientSchema, reply, route);
  }

  /** Deletes the client; one that is already gone counts as deleted. */
  async deleteHybridClient(clientId: string): Promise<void> {
    await this.transport.send({
      route: "DELETE /HybridClients/:id",
      method: "DELETE",
      path: `/HybridClients/${seg(clientId)}`,
      retry: "idempotent",
      passStatuses: [404],
    });
  }

  // ── secrets ───────────────────────────────────────────────────────────────────

  listSecrets(clientId: string): Promise<ClientSecret[]> {
    return this.allPages(
      "GET /HybridClients/:id/Secrets",
      `/HybridClients/${seg(clientId)}/Secrets`,
      ClientSecretList,
      this.pageSize.clients,
    );
  }

  /**
   * Mints a secret; its value is in the result only. Not idempotent (no id of ours), so it
   * is repeated only when ADH surely did not apply it (429, 503 with Retry-After).
   */
  async addSecret(
    clientId: string,
    input: { Description: string; Expiration: string | null },
  ): Promise<{ secret: ClientSecret; value: string }> {
    const route = "POST /HybridClients/:id/Secrets";
    const reply = await this.transport.send({
      route,
      method: "POST",
      path: `/HybridClients/${seg(clientId)}/Secrets`,
      json:
        input.Expiration === null
          ? { Description: input.Description, Expires: false }
          : { Description: input.Description, Expiration: input.Expiration, Expires: true },
      retry: "not-idempotent",
    });
    const { Secret: value, ...secret } = this.transport.parse(
      AddSecretResponseSchema,
      reply,
      route,
    );
    return { secret, value };
  }

  /** Deletes one secret; one that is already gone counts as deleted. */
  async deleteSecret(clientId: string, secretId: number): Promise<void> {
    await this.transport.send({
      route: "DELETE /HybridClients/:id/Secrets/:sid",
      method: "DELETE",
      path: `/HybridClients/${seg(clientId)}/Secrets/${seg(String(secretId))}`,
      retry: "idempotent",
      passStatuses: [404],
    });
  }

  // ── users and roles ───────────────────────────────────────────────────────────

  listUsersPage(skip: number, count: number): Promise<{ items: AdhUser[]; total: number }> {
    return this.page("GET /Users", "/Users", AdhUserList, skip, count);
  }

  listUsers(): Promise<AdhUser[]> {
    return this.allPages("GET /Users", "/Users", AdhUserList, this.pageSize.users);
  }

  async getUserRoles(userId: string): Promise<AdhRole[]> {
    const route = "GET /Users/:id/Roles";
    const reply = await this.transport.send({
      route,
      method: "GET",
      path: `/Users/${seg(userId)}/Roles`,
      retry: "idempotent",
    });
    return this.transport.parse(AdhRoleList, reply, route);
  }

  /** Built-in roles are recognised by RoleTypeId: role Ids differ per tenant. */
  async isTenantAdministrator(userId: string): Promise<boolean> {
    return holdsTenantAdministrator(await this.getUserRoles(userId));
  }

  /** Roles of a client-credentials client; ADH allows a client to read its own ("Self"). */
  async getClientCredentialClientRoles(clientId: string): Promise<AdhRole[]> {
    const route = "GET /ClientCredentialClients/:id/Roles";
    const reply = await this.transport.send({
      route,
      method: "GET",
      path: `/ClientCredentialClients/${seg(clientId)}/Roles`,
      retry: "idempotent",
    });
    return this.transport.parse(AdhRoleList, reply, route);
  }

  /** The secrets of the bot's own client-credentials client: their expiry is watched too. */
  listOwnClientSecrets(): Promise<ClientSecret[]> {
    return this.allPages(
      "GET /ClientCredentialClients/:id/Secrets",
      `/ClientCredentialClients/${seg(this.clientId)}/Secrets`,
      ClientSecretList,
      this.pageSize.clients,
    );
  }

  /**
   * Whether the bot's own client (the configured clientId) holds Tenant Administrator,
   * which creating hybrid clients and secrets needs. ADH documents reading one's own roles
   * as allowed for "Self", so a missing role shows up here as false rather than a 403.
   */
  async botIsTenantAdministrator(): Promise<boolean> {
    return holdsTenantAdministrator(await this.getClientCredentialClientRoles(this.clientId));
  }

  // ── paging ────────────────────────────────────────────────────────────────────

  /** One page; `total` is undefined when ADH sent no Total-Count. */
  private async pageOf<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    skip: number,
    count: number,
  ): Promise<{ items: T[]; total: number | undefined }> {
    const reply = await this.transport.send({
      route,
      method: "GET",
      path,
      query: { skip, count },
      retry: "idempotent",
    });
    return { items: this.transport.parse(schema, reply, route), total: totalCount(reply) };
  }

  private async page<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    skip: number,
    count: number,
  ): Promise<{ items: T[]; total: number }> {
    const { items, total } = await this.pageOf(route, path, schema, skip, count);
    return { items, total: total ?? skip + items.length };
  }

  /** Reads pages until Total-Count items are read or a page comes back empty (or short, without Total-Count). */
  private async allPages<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    pageSize: number,
  ): Promise<T[]> {
    const all: T[] = [];
    let skip = 0;
    for (;;) {
      const { items, total } = await this.pageOf(route, path, schema, skip, pageSize);
      all.push(...items);
      skip += items.length;
      if (items.length === 0) break;
      if (total !== undefined ? skip >= total : items.length < pageSize) break;
    }
    return all;
  }
}

function holdsTenantAdministrator(roles: AdhRole[]): boolean {
  return roles.some((r) => r.RoleTypeId?.toLowerCase() === TENANT_ADMINISTRATOR_ROLE_TYPE_ID);
}

function totalCount(reply: AdhReply): number | undefined {
  const raw = reply.headers["total-count"];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
}
