// AdhClient: the ADH identity operations the bot uses — hybrid clients, their secrets,
// users and roles — as typed methods over the reliable transport.
//
// Options and defaults are in client-options.ts, write inputs and their wire bodies in
// client-inputs.ts, paged listings in paging.ts.
import { z } from "zod";
import {
  addSecretBody,
  type CreateHybridClientInput,
  type CreateHybridClientResult,
  createHybridClientBody,
  type HybridClientPatch,
  updateHybridClientBody,
} from "./client-inputs.js";
import { type AdhClientOptions, pageSizes, transportSettings } from "./client-options.js";
import { PagedReader } from "./paging.js";
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
import { AdhTransport } from "./transport.js";

export type {
  CreateHybridClientInput,
  CreateHybridClientResult,
  HybridClientPatch,
} from "./client-inputs.js";
export type { AdhClientOptions } from "./client-options.js";

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
  private readonly pager: PagedReader;

  constructor(options: AdhClientOptions) {
    this.clientId = options.clientId;
    this.transport = new AdhTransport(transportSettings(options));
    this.pageSize = pageSizes(options);
    this.pager = new PagedReader(this.transport);
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
      json: createHybridClientBody(input),
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
    const reply = await this.transport.send({
      route,
      method: "PUT",
      path: `/HybridClients/${seg(clientId)}`,
      json: updateHybridClientBody(patch),
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
      json: addSecretBody(input),
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

  private page<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    skip: number,
    count: number,
  ): Promise<{ items: T[]; total: number }> {
    return this.pager.page(route, path, schema, skip, count);
  }

  private allPages<T>(
    route: string,
    path: string,
    schema: z.ZodType<T[]>,
    pageSize: number,
  ): Promise<T[]> {
    return this.pager.all(route, path, schema, pageSize);
  }
}

function holdsTenantAdministrator(roles: AdhRole[]): boolean {
  return roles.some((r) => r.RoleTypeId?.toLowerCase() === TENANT_ADMINISTRATOR_ROLE_TYPE_ID);
}
