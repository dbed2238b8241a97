// The bot's own client-credentials client reads its roles (allowed for "Self") to tell
// whether it holds Tenant Administrator — through the same transport as every call.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdhClient } from "../../src/adh/client.js";
import { AdhError } from "../../src/adh/errors.js";
import {
  FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID,
  FAKE_TENANT_MEMBER_ROLE_TYPE_ID,
  type FakeAdh,
  startFakeAdh,
} from "../fakes/adh.js";

const ROUTE = "GET /ClientCredentialClients/:id/Roles";

let fake: FakeAdh;
let adh: AdhClient;

const roleCalls = () => fake.callsTo(ROUTE);

beforeAll(async () => {
  fake = await startFakeAdh();
  adh = new AdhClient({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger: pino({ level: "silent" }),
    retry: { maxAttempts: 3, baseDelayMs: 5 },
  });
});

afterEach(() => {
  fake.clearFaults();
  fake.setBotAdmin(true);
});

afterAll(async () => {
  await adh.close();
  await fake.close();
});

describe("the bot client's own roles", () => {
  it("lists the roles of the client it is asked about", async () => {
    const roles = await adh.getClientCredentialClientRoles(fake.clientId);
    expect(roles.map((r) => r.RoleTypeId).sort()).toEqual(
      [FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID, FAKE_TENANT_MEMBER_ROLE_TYPE_ID].sort(),
    );
    expect(roles.map((r) => r.Name).sort()).toEqual(["Tenant Administrator", "Tenant Member"]);
  });

  it("botIsTenantAdministrator asks about the configured client and follows its roles", async () => {
    const before = roleCalls().length;
    expect(await adh.botIsTenantAdministrator()).toBe(true);
    fake.setBotAdmin(false);
    expect(await adh.botIsTenantAdministrator()).toBe(false);
    const calls = roleCalls().slice(before);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.path).toBe(
        `/api/v1/Tenants/${fake.tenantId}/ClientCredentialClients/${fake.clientId}/Roles`,
      );
      expect(call.status).toBe(200);
    }
  });

  it("an unknown client is an AdhError 404 with ADH's Operation-Id, not retried", async () => {
    const before = roleCalls().length;
    const error = await adh.getClientCredentialClientRoles(randomUUID()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdhError);
    expect(error).toMatchObject({ status: 404, route: ROUTE, retryable: false });
    expect((error as AdhError).operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(roleCalls().length - before).toBe(1);
  });

  it("is retried after a 503 and a dropped connection, like every read", async () => {
    fake.inject(ROUTE, { status: 503 });
    fake.inject(ROUTE, { dropConnection: true });
    const before = roleCalls().length;
    expect(await adh.botIsTenantAdministrator()).toBe(true);
    expect(roleCalls().length - before).toBe(3);
  });

  it("gets a fresh token when ADH no longer accepts the cached one", async () => {
    await adh.botIsTenantAdministrator();
    const tokensBefore = fake.issuedTokens.length;
    fake.expireTokens();
    expect(await adh.botIsTenantAdministrator()).toBe(true);
    expect(fake.issuedTokens.length).toBe(tokensBefore + 1);
  });

  it("a 403 is an AdhError that names the missing role, not a false", async () => {
    fake.inject(ROUTE, { status: 403 });
    const error = await adh.botIsTenantAdministrator().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdhError);
    expect((error as AdhError).status).toBe(403);
    expect((error as AdhError).message).toContain("Tenant Administrator");
  });

  it("a body that is not a list of roles is an AdhError naming no values", async () => {
    fake.inject(ROUTE, { status: 200, body: { Roles: "Tenant Administrator" } });
    const error = await adh.botIsTenantAdministrator().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdhError);
    expect(error).toMatchObject({ status: 200, retryable: false });
    expect((error as AdhError).message).toContain("does not understand");
  });
});
