// What the fake ADH promises its tests: its options, injectable faults, the recorded
// calls, the routes it serves and the handle a test gets back (test/fakes/adh.ts).
import type { ClientSecret, HybridClient } from "../../src/adh/schemas.js";

export const FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID = "2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f";
export const FAKE_TENANT_MEMBER_ROLE_TYPE_ID = "7ad2b9ef-5386-4ead-ac9f-ad99c5c5b977";
/** The tenant's documented limit of hybrid clients. */
export const MAX_CLIENTS_PER_TENANT = 50_000;
export const MAX_SECRETS_PER_CLIENT = 10;

export interface FakeAdhOptions {
  tenantId?: string;
  /** Added before every response. */
  latencyMs?: number;
  /** Requests in flight above this get 429 with Retry-After: 1. */
  maxInFlight?: number;
  tokenLifetimeSeconds?: number;
  /** Largest `count` accepted by list calls (default 1000); above it: 400. */
  pageMax?: number;
}

export type Fault = { times?: number /* default 1 */ } & (
  | { status: number; retryAfter?: number; body?: object }
  | { dropConnection: true }
  | { delayMs: number }
  | { applyThenFail: number /* status after applying */ }
  | { applyThenDrop: true }
);

export type RandomFaultKind = "500" | "429" | "timeout" | "apply-then-fail";

export interface FakeAdhCall {
  method: string;
  path: string;
  route: string;
  /** 0 while in flight, and for a dropped connection. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** The Accept header as sent. */
  accept: string | undefined;
}

export interface FakeAdh {
  url: string;
  tenantId: string;
  /** Valid credentials for the bot. */
  clientId: string;
  clientSecret: string;
  /** Every secret value it ever issued (create, add secret, seeded), to search for leaks. */
  issuedSecrets: string[];
  /** Every access token it issued. */
  issuedTokens: string[];
  calls: FakeAdhCall[];
  /** Returns the user's Id; admin → also the Tenant Administrator role. */
  addUser(u: {
    email?: string;
    contactEmail?: string;
    name?: string;
    admin?: boolean;
    id?: string;
  }): string;
  /**
   * Whether the bot's own client-credentials client (clientId) holds Tenant Administrator,
   * as GET …/ClientCredentialClients/{clientId}/Roles reports it. Default true; it always
   * holds Tenant Member.
   */
  setBotAdmin(admin: boolean): void;
  /**
   * The secrets of the bot's own client-credentials client, as
   * GET …/ClientCredentialClients/{clientId}/Secrets lists them. Default: one secret
   * expiring in a year (no reminder due).
   */
  setBotSecrets(secrets: ClientSecret[]): void;
  /** Seeds a client exactly as given (missing fields stay missing) plus secrets. */
  addClient(
    c: Partial<HybridClient> & { Name: string },
    secrets?: { description?: string; expiration: string | null }[],
  ): { id: string; secretIds: number[] };
  clients(): HybridClient[];
  /** A change made in the portal, behind the bot's back (lifecycle conflict tests). */
  updateClientDirectly(clientId: string, fields: Partial<Omit<HybridClient, "Id">>): void;
  secretsOf(clientId: string): ClientSecret[];
  /** True when `value` is a current secret of the client (compares hashes). */
  secretWorks(clientId: string, value: string): boolean;
  /** `route`: one of FAKE_ADH_ROUTES; an unknown one throws (catches typos). */
  inject(route: string, fault: Fault): void;
  clearFaults(): void;
  /** Every token issued so far stops working: the next call with one gets 401. */
  expireTokens(): void;
  setLatency(ms: number): void;
  /**
   * Fails a fraction of calls at random: "500"; "429" (no Retry-After); "timeout" (ADH's own
   * 408); "apply-then-fail" (the change is applied, then 500).
   */
  setRandomFaults(opts: { rate: number; kinds: RandomFaultKind[] } | null): void;
  readonly maxObservedInFlight: number;
  readonly count429: number;
  /** Resolves when every request received so far has been fully handled (even if its client left). */
  idle(): Promise<void>;
  /** Calls so far on one route template. */
  callsTo(route: string): FakeAdhCall[];
  close(): Promise<void>;
}

export const FAKE_ADH_ROUTES = [
  "POST /token",
  "GET /HybridClients",
  "GET /HybridClients/:id",
  "POST /HybridClients",
  "PUT /HybridClients/:id",
  "DELETE /HybridClients/:id",
  "GET /HybridClients/:id/Secrets",
  "POST /HybridClients/:id/Secrets",
  "GET /HybridClients/:id/Secrets/:sid",
  "DELETE /HybridClients/:id/Secrets/:sid",
  "GET /Users",
  "GET /Users/:id/Roles",
  "GET /ClientCredentialClients/:id/Roles",
  "GET /ClientCredentialClients/:id/Secrets",
] as const;
export type FakeAdhRoute = (typeof FAKE_ADH_ROUTES)[number];
