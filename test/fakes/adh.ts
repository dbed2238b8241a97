// A faithful fake of the AVEVA Data Hub identity API (see /work/shared/adh-api.md) as a
// real HTTP server: token endpoint, bearer check, tenant-scoped routes, the documented
// validation and statuses, paging with Total-Count, null omission, Operation-Id on every
// response, only a hash of each secret — and faults injectable per route.
//
// It deliberately shares no code with src/adh, so a misreading of the API in the client
// is not silently repeated here.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClientSecret, HybridClient } from "../../src/adh/schemas.js";

import {
  FAKE_ADH_ROUTES,
  FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID,
  FAKE_TENANT_MEMBER_ROLE_TYPE_ID,
  type FakeAdh,
  type FakeAdhCall,
  type FakeAdhOptions,
  type FakeAdhRoute,
  type Fault,
  MAX_CLIENTS_PER_TENANT,
  MAX_SECRETS_PER_CLIENT,
  type RandomFaultKind,
} from "./adh-contract.js";

export * from "./adh-contract.js";

export async function startFakeAdh(options: FakeAdhOptions = {}): Promise<FakeAdh> {
  const fake = new FakeAdhServer(options);
  await fake.listen();
  return fake;
}

// ── internals ─────────────────────────────────────────────────────────────────

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StoredSecret extends ClientSecret {
  /** sha256 of the value; the value itself is never kept. */
  hash: string;
}

/** A client as ADH holds it: seeded ones may lack any field but Id. */
type WireClient = Partial<HybridClient> & { Id: string };

interface StoredClient {
  client: WireClient;
  secrets: Map<number, StoredSecret>;
  nextSecretId: number;
}

interface StoredUser {
  Id: string;
  Name?: string;
  GivenName?: string;
  Surname?: string;
  Email?: string;
  ContactEmail?: string;
  IdentityProviderId?: string;
  RoleIds: string[];
}

interface StoredRole {
  Id: string;
  Name: string;
  Description: string;
  RoleScope: string;
  TenantId: string;
  RoleTypeId: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RequestContext {
  params: string[];
  query: URLSearchParams;
  body: unknown;
  operationId: string;
}

type Handler = (ctx: RequestContext) => Reply;

type FaultAction =
  | { kind: "status"; status: number; retryAfter?: number; body?: object }
  | { kind: "drop" }
  | { kind: "delay"; ms: number }
  | { kind: "applyThenFail"; status: number }
  | { kind: "applyThenDrop" };

class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly errorText = status === 404 ? "The resource was not found." : "The request is invalid.",
  ) {
    super(reason);
  }
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const newSecretValue = () => randomBytes(32).toString("base64url");

// Null omission: ADH leaves out properties whose value is null.
const omitNulls = (_key: string, value: unknown) => (value === null ? undefined : value);

function isDateString(value: unknown): value is string {
  return typeof value === "string" && !Number.isNaN(Date.parse(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const present = (v: unknown) => v !== undefined && v !== null;

class FakeAdhServer implements FakeAdh {
  url = "";
  readonly tenantId: string;
  readonly clientId = randomUUID();
  readonly clientSecret = newSecretValue();
  readonly issuedSecrets: string[] = [];
  readonly issuedTokens: string[] = [];
  readonly calls: FakeAdhCall[] = [];
  maxObservedInFlight = 0;
  count429 = 0;

  private readonly server: Server;
  private readonly tokens = new Map<string, number>();
  private readonly clientsById = new Map<string, StoredClient>();
  private readonly users = new Map<string, StoredUser>();
  private readonly adminRole: StoredRole;
  private readonly memberRole: StoredRole;
  private botAdmin = true;
  private readonly faults = new Map<string, { action: FaultAction; left: number }[]>();
  private randomFaults: { rate: number; kinds: RandomFaultKind[] } | null = null;
  private latencyMs: number;
  private inFlight = 0;
  private readonly handling = new Set<Promise<void>>();
  private readonly maxInFlight: number | undefined;
  private readonly tokenLifetimeSeconds: number;
  private readonly pageMax: number;
  private readonly routes: {
    method: string;
    pattern: RegExp;
    template: FakeAdhRoute;
    handler: Handler;
  }[];

  constructor(options: FakeAdhOptions) {
    this.tenantId = options.tenantId ?? randomUUID();
    this.latencyMs = options.latencyMs ?? 0;
    this.maxInFlight = options.maxInFlight;
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    this.pageMax = options.pageMax ?? 1000;
    const role = (name: string, typeId: string): StoredRole => ({
      Id: randomUUID(),
      Name: name,
      Description: `Built-in ${name} role`,
      RoleScope: "Tenant",
      TenantId: this.tenantId,
      RoleTypeId: typeId,
    });
    this.adminRole = role("Tenant Administrator", FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID);
    this.memberRole = role("Tenant Member", FAKE_TENANT_MEMBER_ROLE_TYPE_ID);

    const seg = "([^/]+)";
    const api = (method: string, path: string, template: FakeAdhRoute, handler: Handler) => ({
      method,
      pattern: new RegExp(`^/api/v1/Tenants/${seg}${path}/?$`, "i"),
      template,
      handler,
    });
    this.routes = [
      api("GET", "/HybridClients", "GET /HybridClients", (c) => this.listClients(c)),
      api("POST", "/HybridClients", "POST /HybridClients", (c) => this.createClient(c)),
      api("GET", `/HybridClients/${seg}`, "GET /HybridClients/:id", (c) => this.getClient(c)),
      api("PUT", `/HybridClients/${seg}`, "PUT /HybridClients/:id", (c) => this.updateClient(c)),
      api("DELETE", `/HybridClients/${seg}`, "DELETE /HybridClients/:id", (c) =>
        this.deleteClient(c),
      ),
      api("GET", `/HybridClients/${seg}/Secrets`, "GET /HybridClients/:id/Secrets", (c) =>
        this.listSecrets(c),
      ),
      api("POST", `/HybridClients/${seg}/Secrets`, "POST /HybridClients/:id/Secrets", (c) =>
        this.addSecret(c),
      ),
      api(
        "GET",
        `/HybridClients/${seg}/Secrets/${seg}`,
        "GET /HybridClients/:id/Secrets/:sid",
        (c) => this.getSecret(c),
      ),
      api(
        "DELETE",
        `/HybridClients/${seg}/Secrets/${seg}`,
        "DELETE /HybridClients/:id/Secrets/:sid",
        (c) => this.deleteSecret(c),
      ),
      api("GET", "/Users", "GET /Users", (c) => this.listUsers(c)),
      api("GET", `/Users/${seg}/Roles`, "GET /Users/:id/Roles", (c) => this.userRoles(c)),
      api(
        "GET",
        `/ClientCredentialClients/${seg}/Roles`,
        "GET /ClientCredentialClients/:id/Roles",
        (c) => this.clientCredentialClientRoles(c),
      ),
      api(
        "GET",
        `/ClientCredentialClients/${seg}/Secrets`,
        "GET /ClientCredentialClients/:id/Secrets",
        (c) => this.botSecretsRoute(c),
      ),
    ];
    this.server = createServer((req, res) => {
      const handling = this.handle(req, res)
        .catch(() => {
          if (!res.headersSent) this.send(res, { status: 500 });
          else res.destroy();
        })
        .finally(() => this.handling.delete(handling));
      this.handling.add(handling);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── test controls ───────────────────────────────────────────────────────────

  addUser(u: {
    email?: string;
    contactEmail?: string;
    name?: string;
    admin?: boolean;
    id?: string;
  }): string {
    const id = u.id ?? randomUUID();
    const [given, ...rest] = (u.name ?? "").split(" ");
    this.users.set(id.toLowerCase(), {
      Id: id,
      ...(u.name ? { Name: u.name, GivenName: given, Surname: rest.join(" ") || undefined } : {}),
      ...(u.email ? { Email: u.email } : {}),
      ...(u.contactEmail ? { ContactEmail: u.contactEmail } : {}),
      IdentityProviderId: "f2f3e6b0-0000-0000-0000-000000000001",
      RoleIds: u.admin ? [this.memberRole.Id, this.adminRole.Id] : [this.memberRole.Id],
    });
    return id;
  }

  setBotAdmin(admin: boolean): void {
    this.botAdmin = admin;
  }

  addClient(
    c: Partial<HybridClient> & { Name: string },
    secrets: { description?: string; expiration: string | null }[] = [],
  ): { id: string; secretIds: number[] } {
    const id = c.Id ?? randomUUID();
    const stored: StoredClient = { client: { ...c, Id: id }, secrets: new Map(), nextSecretId: 1 };
    this.clientsById.set(id.toLowerCase(), stored);
    const secretIds = secrets.map(
      (s) => this.mintSecret(stored, s.description, s.expiration).stored.Id,
    );
    return { id, secretIds };
  }

  /** A change made in the portal, behind the bot's back (lifecycle conflict tests). */
  updateClientDirectly(clientId: string, fields: Partial<Omit<HybridClient, "Id">>): void {
    const stored = this.clientsById.get(clientId.toLowerCase());
    if (!stored) throw new Error(`fake ADH has no client ${clientId}`);
    stored.client = { ...stored.client, ...fields } as WireClient;
  }

  clients(): HybridClient[] {
    return [...this.clientsById.values()].map((s) => ({
      ...structuredClone(s.client),
      RedirectUris: [...(s.client.RedirectUris ?? [])],
      PostLogoutRedirectUris: [...(s.client.PostLogoutRedirectUris ?? [])],
    }));
  }

  secretsOf(clientId: string): ClientSecret[] {
    const stored = this.clientsById.get(clientId.toLowerCase());
    return stored ? [...stored.secrets.values()].map(publicSecret) : [];
  }

  secretWorks(clientId: string, value: string): boolean {
    const stored = this.clientsById.get(clientId.toLowerCase());
    const hash = Buffer.from(sha256(value), "hex");
    return [...(stored?.secrets.values() ?? [])].some((s) =>
      timingSafeEqual(Buffer.from(s.hash, "hex"), hash),
    );
  }

  inject(route: string, fault: Fault): void {
    if (!(FAKE_ADH_ROUTES as readonly string[]).includes(route))
      throw new Error(`fake ADH has no route ${route}`);
    const left = fault.times ?? 1;
    let action: FaultAction;
    if ("status" in fault) {
      action = { kind: "status", status: fault.status };
      if (fault.retryAfter !== undefined) action.retryAfter = fault.retryAfter;
      if (fault.body !== undefined) action.body = fault.body;
    } else if ("dropConnection" in fault) action = { kind: "drop" };
    else if ("delayMs" in fault) action = { kind: "delay", ms: fault.delayMs };
    else if ("applyThenFail" in fault)
      action = { kind: "applyThenFail", status: fault.applyThenFail };
    else action = { kind: "applyThenDrop" };
    const list = this.faults.get(route) ?? [];
    list.push({ action, left });
    this.faults.set(route, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  setRandomFaults(opts: { rate: number; kinds: RandomFaultKind[] } | null): void {
    this.randomFaults = opts && opts.kinds.length > 0 ? opts : null;
  }

  async idle(): Promise<void> {
    while (this.handling.size > 0) await Promise.allSettled([...this.handling]);
  }

  callsTo(route: string): FakeAdhCall[] {
    return this.calls.filter((c) => c.route === route);
  }

  // ── request pipeline ────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake-adh");
    const method = req.method ?? "GET";
    const operationId = randomUUID();
    const isToken = /^\/identity\/connect\/token\/?$/i.test(url.pathname);
    const match = isToken ? undefined : this.match(method, url.pathname);
    const route = isToken && method === "POST" ? "POST /token" : (match?.template ?? "unknown");
    const call: FakeAdhCall = {
      method,
      path: `${url.pathname}${url.search}`,
      route,
      status: 0,
      at: Date.now(),
      accept: req.headers.accept,
    };
    this.calls.push(call);
    res.setHeader("Operation-Id", operationId);
    res.on("finish", () => {
      call.status = res.statusCode;
    });

    if (this.maxInFlight !== undefined && this.inFlight >= this.maxInFlight) {
      this.count429 += 1;
      req.resume();
      this.send(res, {
        status: 429,
        headers: { "Retry-After": "1" },
        body: errorBody(
          operationId,
          "Too many requests.",
          "The rate limit was exceeded.",
          "Retry after the time in the Retry-After header.",
        ),
      });
      return;
    }
    this.inFlight += 1;
    this.maxObservedInFlight = Math.max(this.maxObservedInFlight, this.inFlight);
    res.once("close", () => {
      this.inFlight -= 1;
    });

    const rawBody = await readBody(req);
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    if (url.pathname.toLowerCase() === "/identity/.well-known/openid-configuration") {
      this.send(res, {
        status: 200,
        body: {
          issuer: `${this.url}/identity`,
          token_endpoint: `${this.url}/identity/connect/token`,
        },
      });
      return;
    }
    if (isToken) {
      if (method !== "POST") return this.send(res, { status: 405 });
      return this.withFaults(res, route, operationId, () => this.issueToken(req, rawBody));
    }
    if (!/^\/api\/v1\/Tenants\//i.test(url.pathname)) {
      return this.send(res, {
        status: 404,
        body: errorBody(operationId, "Not found.", "No such path."),
      });
    }
    // Authentication comes before anything else, as at ADH: 401 with no body.
    if (!this.authorized(req)) return this.send(res, { status: 401 });

    const tenant = /^\/api\/v1\/Tenants\/([^/]+)/i.exec(url.pathname)?.[1] ?? "";
    if (decodeURIComponent(tenant).toLowerCase() !== this.tenantId.toLowerCase()) {
      return this.send(res, {
        status: 404,
        body: errorBody(
          operationId,
          "The resource was not found.",
          `Tenant ${tenant} was not found.`,
        ),
      });
    }
    if (!match) {
      const pathKnown = this.routes.some((r) => r.pattern.test(url.pathname));
      return this.send(res, {
        status: pathKnown ? 405 : 404,
        body: errorBody(
          operationId,
          pathKnown ? "Method not allowed." : "Not found.",
          `${method} ${url.pathname}`,
        ),
      });
    }
    const accept = req.headers.accept;
    if (accept && !/application\/json|\*\/\*|application\/\*/i.test(accept)) {
      return this.send(res, {
        status: 406,
        body: errorBody(operationId, "Not acceptable.", "Send Accept: application/json."),
      });
    }

    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return this.send(res, {
          status: 400,
          body: errorBody(
            operationId,
            "The request is invalid.",
            "The request body is not valid JSON.",
          ),
        });
      }
    }
    const ctx: RequestContext = {
      params: match.params.slice(1).map((p) => decodeURIComponent(p)),
      query: url.searchParams,
      body,
      operationId,
    };
    return this.withFaults(res, route, operationId, () => {
      try {
        return match.handler(ctx);
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        return { status: err.status, body: errorBody(operationId, err.errorText, err.reason) };
      }
    });
  }

  private match(method: string, path: string) {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (m) return { template: r.template, handler: r.handler, params: [...m].slice(1) };
    }
    return undefined;
  }

  private nextFault(route: string): FaultAction | undefined {
    const list = this.faults.get(route);
    const entry = list?.find((f) => f.left > 0);
    if (entry) {
      entry.left -= 1;
      return entry.action;
    }
    const chaos = this.randomFaults;
    if (!chaos || Math.random() >= chaos.rate) return undefined;
    const kind = chaos.kinds[Math.floor(Math.random() * chaos.kinds.length)];
    switch (kind) {
      case "429":
        return { kind: "status", status: 429 };
      case "timeout":
        return { kind: "status", status: 408 };
      case "apply-then-fail":
        return { kind: "applyThenFail", status: 500 };
      default:
        return { kind: "status", status: 500 };
    }
  }

  private async withFaults(
    res: ServerResponse,
    route: string,
    operationId: string,
    apply: () => Reply,
  ): Promise<void> {
    const fault = this.nextFault(route);
    switch (fault?.kind) {
      case undefined:
        return this.send(res, apply());
      case "delay":
        await sleep(fault.ms);
        return this.send(res, apply());
      case "drop":
        res.socket?.destroy();
        return;
      case "applyThenDrop":
        apply();
        res.socket?.destroy();
        return;
      case "applyThenFail":
        apply();
        return this.send(res, this.faultReply(fault.status, operationId));
      case "status":
        return this.send(
          res,
          this.faultReply(fault.status, operationId, fault.retryAfter, fault.body),
        );
    }
  }

  private faultReply(
    status: number,
    operationId: string,
    retryAfter?: number,
    body?: object,
  ): Reply {
    const headers: Record<string, string> = {};
    if (retryAfter !== undefined) headers["Retry-After"] = String(retryAfter);
    if (status === 401) return { status, headers };
    const retry = "Retry the request later; contact support with the OperationId if it persists.";
    const text: Record<number, [string, string, string]> = {
      403: [
        "Forbidden.",
        "The caller does not have permission for this operation.",
        "Ask a tenant administrator for access.",
      ],
      408: ["The request timed out.", "The operation did not complete in time.", retry],
      429: ["Too many requests.", "The rate limit was exceeded.", retry],
      500: ["An unexpected error occurred.", "Internal server error.", retry],
      503: ["The service is unavailable.", "The service is temporarily unavailable.", retry],
    };
    const [error, reason, resolution] = text[status] ?? [
      "The request failed.",
      `Injected status ${status}.`,
      retry,
    ];
    return { status, headers, body: body ?? errorBody(operationId, error, reason, resolution) };
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.body === undefined || reply.status === 204) {
      res.setHeader("Content-Length", "0");
      res.writeHead(reply.status).end();
      return;
    }
    const text = JSON.stringify(reply.body, omitNulls);
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Content-Length", Buffer.byteLength(text));
    res.writeHead(reply.status).end(text);
  }

  // ── authentication ──────────────────────────────────────────────────────────

  private issueToken(req: IncomingMessage, rawBody: string): Reply {
    const form = new URLSearchParams(rawBody);
    let id = form.get("client_id");
    let secret = form.get("client_secret");
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (basic) {
      const [u, p] = Buffer.from(basic, "base64").toString().split(":");
      id = decodeURIComponent(u ?? "");
      secret = decodeURIComponent(p ?? "");
    }
    if (form.get("grant_type") !== "client_credentials") {
      return { status: 400, body: { error: "unsupported_grant_type" } };
    }
    if (id !== this.clientId || secret !== this.clientSecret) {
      return { status: 400, body: { error: "invalid_client" } };
    }
    const token = randomBytes(48).toString("base64url");
    this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    this.issuedTokens.push(token);
    return {
      status: 200,
      headers: { "Cache-Control": "no-store" },
      body: {
        access_token: token,
        expires_in: this.tokenLifetimeSeconds,
        token_type: "Bearer",
        scope: "ocsapi",
      },
    };
  }

  private authorized(req: IncomingMessage): boolean {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  // ── hybrid clients ──────────────────────────────────────────────────────────

  private stored(id: string | undefined): StoredClient {
    const stored = id === undefined ? undefined : this.clientsById.get(id.toLowerCase());
    if (!stored) throw new ProblemError(404, `Hybrid client ${id} was not found.`);
    return stored;
  }

  private listClients(ctx: RequestContext): Reply {
    const ids = new Set(ctx.query.getAll("id").map((i) => i.toLowerCase()));
    const tags = ctx.query.getAll("tag");
    const all = [...this.clientsById.values()]
      .map((s) => s.client)
      .filter((c) => ids.size === 0 || ids.has(c.Id.toLowerCase()))
      .filter((c) => tags.length === 0 || tags.some((t) => c.Tags?.includes(t)));
    return this.page(ctx, all);
  }

  private getClient(ctx: RequestContext): Reply {
    return { status: 200, body: this.stored(ctx.params[0]).client };
  }

  private createClient(ctx: RequestContext): Reply {
    const b = ctx.body;
    if (!isObject(b)) throw new ProblemError(400, "The request body must be a hybrid client.");
    const problems: string[] = [];
    if (present(b.Id) && !(typeof b.Id === "string" && GUID.test(b.Id))) {
      problems.push("Id must be a GUID.");
    }
    if (typeof b.Name !== "string" || b.Name.trim() === "") problems.push("Name is required.");
    if (!present(b.RedirectUris)) problems.push("RedirectUris is required.");
    problems.push(...clientFieldProblems(b));
    if (present(b.SecretDescription) && typeof b.SecretDescription !== "string") {
      problems.push("SecretDescription must be a string.");
    }
    if (present(b.SecretExpirationDate) && !isDateString(b.SecretExpirationDate)) {
      problems.push("SecretExpirationDate must be an ISO 8601 date-time.");
    }
    if (problems.length > 0) throw new ProblemError(400, problems.join(" "));
    if (this.clientsById.size >= MAX_CLIENTS_PER_TENANT) {
      throw new ProblemError(
        400,
        `The tenant's limit of ${MAX_CLIENTS_PER_TENANT} clients was reached.`,
      );
    }
    const id = (b.Id as string | undefined) ?? randomUUID();
    if (this.clientsById.has(id.toLowerCase())) {
      throw new ProblemError(
        409,
        `A client with Id ${id} already exists.`,
        "The resource already exists.",
      );
    }
    const client: WireClient = {
      Id: id,
      Name: b.Name as string,
      Enabled: (b.Enabled as boolean | undefined) ?? true,
      RedirectUris: b.RedirectUris as string[],
      PostLogoutRedirectUris: (b.PostLogoutRedirectUris as string[] | null | undefined) ?? [],
      AccessTokenLifetime: (b.AccessTokenLifetime as number | null | undefined) ?? 3600,
      AllowOfflineAccess: (b.AllowOfflineAccess as boolean | null | undefined) ?? false,
      AllowAccessTokensViaBrowser:
        (b.AllowAccessTokensViaBrowser as boolean | null | undefined) ?? false,
      ...(present(b.ClientUri) ? { ClientUri: b.ClientUri as string } : {}),
      ...(present(b.LogoUri) ? { LogoUri: b.LogoUri as string } : {}),
    };
    const stored: StoredClient = { client, secrets: new Map(), nextSecretId: 1 };
    this.clientsById.set(id.toLowerCase(), stored);
    const expiration = present(b.SecretExpirationDate) ? (b.SecretExpirationDate as string) : null;
    const { stored: secret, value } = this.mintSecret(
      stored,
      b.SecretDescription as string | undefined,
      expiration,
    );
    return {
      status: 201,
      headers: { Location: `/api/v1/Tenants/${this.tenantId}/HybridClients/${id}` },
      body: {
        Secret: value,
        Id: secret.Id,
        Description: secret.Description,
        ExpirationDate: secret.Expiration,
        Client: client,
      },
    };
  }

  private updateClient(ctx: RequestContext): Reply {
    const stored = this.stored(ctx.params[0]);
    const b = ctx.body;
    if (!isObject(b)) throw new ProblemError(400, "The request body must be a hybrid client.");
    const problems = clientFieldProblems(b);
    if (present(b.Name) && (typeof b.Name !== "string" || b.Name.trim() === "")) {
      problems.push("Name must not be empty.");
    }
    if (problems.length > 0) throw new ProblemError(400, problems.join(" "));
    const updatable = [
      "Name",
      "Enabled",
      "RedirectUris",
      "PostLogoutRedirectUris",
      "AccessTokenLifetime",
      "AllowOfflineAccess",
      "AllowAccessTokensViaBrowser",
      "ClientUri",
      "LogoUri",
    ] as const;
    // Unset or null fields stay unchanged.
    const next: Record<string, unknown> = { ...stored.client };
    for (const field of updatable) if (present(b[field])) next[field] = b[field];
    stored.client = next as WireClient;
    return { status: 200, body: stored.client };
  }

  private deleteClient(ctx: RequestContext): Reply {
    const stored = this.stored(ctx.params[0]);
    this.clientsById.delete(stored.client.Id.toLowerCase());
    return { status: 204 };
  }

  // ── secrets ─────────────────────────────────────────────────────────────────

  private mintSecret(
    stored: StoredClient,
    description: string | undefined,
    expiration: string | null,
  ): { stored: StoredSecret; value: string } {
    const value = newSecretValue();
    this.issuedSecrets.push(value);
    const secret: StoredSecret = {
      Id: stored.nextSecretId++,
      ...(description !== undefined ? { Description: description } : {}),
      Expiration: expiration === null ? null : new Date(expiration).toISOString(),
      Expires: expiration !== null,
      hash: sha256(value),
    };
    stored.secrets.set(secret.Id, secret);
    return { stored: secret, value };
  }

  private secretOf(ctx: RequestContext): { client: StoredClient; secret: StoredSecret } {
    const client = this.stored(ctx.params[0]);
    const sid = Number(ctx.params[1]);
    const secret = Number.isInteger(sid) ? client.secrets.get(sid) : undefined;
    if (!secret) throw new ProblemError(404, `Secret ${ctx.params[1]} was not found.`);
    return { client, secret };
  }

  private listSecrets(ctx: RequestContext): Reply {
    const stored = this.stored(ctx.params[0]);
    return this.page(ctx, [...stored.secrets.values()].map(publicSecret));
  }

  private getSecret(ctx: RequestContext): Reply {
    return { status: 200, body: publicSecret(this.secretOf(ctx).secret) };
  }

  private addSecret(ctx: RequestContext): Reply {
    const stored = this.stored(ctx.params[0]);
    const b = ctx.body;
    if (!isObject(b)) throw new ProblemError(400, "The request body must be a client secret.");
    if (present(b.Description) && typeof b.Description !== "string") {
      throw new ProblemError(400, "Description must be a string.");
    }
    if (present(b.Expires) && typeof b.Expires !== "boolean") {
      throw new ProblemError(400, "Expires must be true or false.");
    }
    if (present(b.Expiration) && !isDateString(b.Expiration)) {
      throw new ProblemError(400, "Expiration must be an ISO 8601 date-time.");
    }
    const expires = (b.Expires as boolean | null | undefined) ?? true;
    if (expires && !present(b.Expiration)) {
      throw new ProblemError(400, "Expiration is required when Expires is true.");
    }
    if (!expires && present(b.Expiration)) {
      throw new ProblemError(400, "Expiration must be omitted when Expires is false.");
    }
    if (stored.secrets.size >= MAX_SECRETS_PER_CLIENT) {
      throw new ProblemError(400, `A client can have at most ${MAX_SECRETS_PER_CLIENT} secrets.`);
    }
    const { stored: secret, value } = this.mintSecret(
      stored,
      b.Description as string | undefined,
      expires ? (b.Expiration as string) : null,
    );
    return { status: 201, body: { ...publicSecret(secret), Secret: value } };
  }

  private deleteSecret(ctx: RequestContext): Reply {
    const { client, secret } = this.secretOf(ctx);
    client.secrets.delete(secret.Id);
    return { status: 204 };
  }

  // ── users and roles ─────────────────────────────────────────────────────────

  private listUsers(ctx: RequestContext): Reply {
    return this.page(ctx, [...this.users.values()]);
  }

  private userRoles(ctx: RequestContext): Reply {
    const user = this.users.get((ctx.params[0] ?? "").toLowerCase());
    if (!user) throw new ProblemError(404, `User ${ctx.params[0]} was not found.`);
    const roles = [this.memberRole, this.adminRole].filter((r) => user.RoleIds.includes(r.Id));
    return { status: 200, body: roles };
  }

  // The only client-credentials client this fake knows is the bot's own (documented as
  // allowed for "Self"); any other id is unknown here.
  private clientCredentialClientRoles(ctx: RequestContext): Reply {
    const id = ctx.params[0] ?? "";
    if (id.toLowerCase() !== this.clientId.toLowerCase()) {
      throw new ProblemError(404, `Client credential client ${id} was not found.`);
    }
    const roles = this.botAdmin ? [this.memberRole, this.adminRole] : [this.memberRole];
    return { status: 200, body: roles };
  }

  // ── paging ──────────────────────────────────────────────────────────────────

  // ── the bot's own client's secrets (GET …/ClientCredentialClients/{id}/Secrets) ──
  private botSecrets: ClientSecret[] = [
    {
      Id: 1,
      Description: "hybrid-client-bot",
      Expiration: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      Expires: true,
    },
  ];

  setBotSecrets(secrets: ClientSecret[]): void {
    this.botSecrets = secrets.map((s) => ({ ...s }));
  }

  private botSecretsRoute(ctx: RequestContext): Reply {
    const id = ctx.params[0] ?? "";
    if (id.toLowerCase() !== this.clientId.toLowerCase()) {
      throw new ProblemError(404, `Client credential client ${id} was not found.`);
    }
    return this.page(ctx, this.botSecrets);
  }

  private page(ctx: RequestContext, items: unknown[]): Reply {
    const skip = intParam(ctx.query.get("skip"), 0);
    const count = intParam(ctx.query.get("count"), 100);
    if (skip === undefined || skip < 0)
      throw new ProblemError(400, "skip must be a whole number ≥ 0.");
    if (count === undefined || count < 0 || count > this.pageMax) {
      throw new ProblemError(400, `count must be a whole number from 0 to ${this.pageMax}.`);
    }
    return {
      status: 200,
      headers: { "Total-Count": String(items.length) },
      body: items.slice(skip, skip + count),
    };
  }
}

function clientFieldProblems(b: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const uriList = (field: string, min: number) => {
    const v = b[field];
    if (!present(v)) return;
    if (!Array.isArray(v) || v.some((u) => typeof u !== "string" || u.trim() === "")) {
      problems.push(`${field} must be a list of URLs.`);
    } else if (v.length < min || v.length > 10) {
      problems.push(
        `${field} must contain ${min === 0 ? "at most" : `between ${min} and`} 10 URLs.`,
      );
    }
  };
  uriList("RedirectUris", 1);
  uriList("PostLogoutRedirectUris", 0);
  const lifetime = b.AccessTokenLifetime;
  if (
    present(lifetime) &&
    !(Number.isInteger(lifetime) && (lifetime as number) >= 60 && (lifetime as number) <= 3600)
  ) {
    problems.push("AccessTokenLifetime must be a whole number of seconds from 60 to 3600.");
  }
  for (const field of ["Enabled", "AllowOfflineAccess", "AllowAccessTokensViaBrowser"]) {
    if (present(b[field]) && typeof b[field] !== "boolean")
      problems.push(`${field} must be true or false.`);
  }
  for (const field of ["ClientUri", "LogoUri"]) {
    if (present(b[field]) && typeof b[field] !== "string") problems.push(`${field} must be a URL.`);
  }
  return problems;
}

function publicSecret(s: StoredSecret): ClientSecret {
  return {
    Id: s.Id,
    ...(s.Description !== undefined ? { Description: s.Description } : {}),
    Expiration: s.Expiration,
    Expires: s.Expires,
  };
}

function errorBody(
  operationId: string,
  error: string,
  reason: string,
  resolution = "Correct the request and try again.",
) {
  return { OperationId: operationId, Error: error, Reason: reason, Resolution: resolution };
}

function intParam(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === "") return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
    req.on("aborted", () => resolve(""));
  });
}
