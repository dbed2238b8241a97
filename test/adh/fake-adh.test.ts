// The fake ADH server keeps the documented contract, checked over raw HTTP so the
// client's own assumptions play no part.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID,
  FAKE_TENANT_MEMBER_ROLE_TYPE_ID,
  type FakeAdh,
  startFakeAdh,
} from "../fakes/adh.js";

let fake: FakeAdh;
let token: string;

const api = (path: string) => `${fake.url}/api/v1/Tenants/${fake.tenantId}${path}`;

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(path.startsWith("http") ? path : api(path), {
    ...init,
    headers: {
      accept: "application/json",
      authorization: `Bearer ${token}`,
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
  });
  const text = await res.text();
  return { res, text, json: text ? JSON.parse(text) : undefined };
}

const validClient = (extra: Record<string, unknown> = {}) => ({
  Name: "Fake test",
  RedirectUris: ["https://app.example.com/callback"],
  SecretDescription: "first",
  SecretExpirationDate: "2030-01-01T00:00:00Z",
  ...extra,
});

beforeAll(async () => {
  fake = await startFakeAdh();
  const res = await fetch(`${fake.url}/identity/connect/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await fake.close();
});

describe("fake ADH", () => {
  it("issues tokens only for the right client credentials", async () => {
    const res = await fetch(`${fake.url}/identity/connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: fake.clientId,
        client_secret: "wrong",
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_client" });
    expect(fake.issuedTokens).toContain(token);
  });

  it("answers 401 with no body without a valid bearer token, with an Operation-Id", async () => {
    const { res, text } = await call("/HybridClients", {
      headers: { authorization: "Bearer nope" },
    });
    expect(res.status).toBe(401);
    expect(text).toBe("");
    expect(res.headers.get("operation-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 404 with an error body for another tenant", async () => {
    const { res, json } = await call(`${fake.url}/api/v1/Tenants/${randomUUID()}/HybridClients`);
    expect(res.status).toBe(404);
    expect(json.OperationId).toBe(res.headers.get("operation-id"));
    expect(json).toHaveProperty("Reason");
  });

  it("validates a create by the documented rules", async () => {
    const cases: Record<string, unknown>[] = [
      validClient({ Name: undefined }),
      validClient({ RedirectUris: undefined }),
      validClient({ RedirectUris: [] }),
      validClient({ RedirectUris: Array.from({ length: 11 }, (_, i) => `https://a/${i}`) }),
      validClient({
        PostLogoutRedirectUris: Array.from({ length: 11 }, (_, i) => `https://a/${i}`),
      }),
      validClient({ AccessTokenLifetime: 59 }),
      validClient({ AccessTokenLifetime: 3601 }),
      validClient({ Id: "not-a-guid" }),
    ];
    for (const body of cases) {
      const { res, json } = await call("/HybridClients", {
        method: "POST",
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(json).sort()).toEqual(["Error", "OperationId", "Reason", "Resolution"]);
      expect(json.OperationId).toBe(res.headers.get("operation-id"));
    }
  });

  it("creates with 201, returns the secret once, keeps only its hash, and 409s a duplicate Id", async () => {
    const id = randomUUID();
    const { res, json } = await call("/HybridClients", {
      method: "POST",
      body: JSON.stringify(validClient({ Id: id, SecretExpirationDate: null })),
    });
    expect(res.status).toBe(201);
    expect(json.Client.Id).toBe(id);
    expect(json.Secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(json).not.toHaveProperty("ExpirationDate"); // null omitted
    expect(fake.issuedSecrets).toContain(json.Secret);
    expect(fake.secretWorks(id, json.Secret)).toBe(true);
    expect(JSON.stringify(fake.secretsOf(id))).not.toContain(json.Secret);

    const again = await call("/HybridClients", {
      method: "POST",
      body: JSON.stringify(validClient({ Id: id })),
    });
    expect(again.res.status).toBe(409);
    expect(fake.clients().filter((c) => c.Id === id)).toHaveLength(1);
  });

  it("applies the secret rules and the limit of 10 secrets", async () => {
    const { id } = fake.addClient({ Name: "secrets", RedirectUris: ["https://a"] });
    const add = (body: object) =>
      call(`/HybridClients/${id}/Secrets`, { method: "POST", body: JSON.stringify(body) });
    expect((await add({ Description: "x" })).res.status).toBe(400); // Expires defaults true
    expect((await add({ Expires: false, Expiration: "2030-01-01T00:00:00Z" })).res.status).toBe(
      400,
    );
    const never = await add({ Description: "never", Expires: false });
    expect(never.res.status).toBe(201);
    expect(never.json).toEqual({
      Id: 1,
      Description: "never",
      Expires: false,
      Secret: expect.any(String),
    });
    for (let i = 0; i < 9; i++) {
      expect((await add({ Expires: true, Expiration: "2030-01-01T00:00:00Z" })).res.status).toBe(
        201,
      );
    }
    const eleventh = await add({ Expiration: "2030-01-01T00:00:00Z" });
    expect(eleventh.res.status).toBe(400);
    expect(eleventh.json.Reason).toMatch(/10 secrets/);
    expect((await call(`/HybridClients/${id}/Secrets/1`, { method: "DELETE" })).res.status).toBe(
      204,
    );
    expect((await call(`/HybridClients/${id}/Secrets/1`, { method: "DELETE" })).res.status).toBe(
      404,
    );
  });

  it("pages with skip/count and Total-Count, and omits null fields", async () => {
    for (let i = 0; i < 5; i++) fake.addUser({ email: `pager${i}@example.com` });
    const total = Number((await call("/Users?count=1")).res.headers.get("total-count"));
    const { res, json } = await call(`/Users?skip=${total - 2}&count=10`);
    expect(res.headers.get("total-count")).toBe(String(total));
    expect(json).toHaveLength(2);
    expect(json[0]).not.toHaveProperty("ContactEmail");
    expect((await call("/Users?count=1001")).res.status).toBe(400);
  });

  it("lists the bot client's own roles, switchable with setBotAdmin, and 404s another client", async () => {
    const path = `/ClientCredentialClients/${fake.clientId}/Roles`;
    const admin = await call(path);
    expect(admin.res.status).toBe(200);
    expect(admin.res.headers.get("operation-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(admin.json.map((r: { RoleTypeId: string }) => r.RoleTypeId).sort()).toEqual(
      [FAKE_TENANT_ADMINISTRATOR_ROLE_TYPE_ID, FAKE_TENANT_MEMBER_ROLE_TYPE_ID].sort(),
    );
    for (const role of admin.json) {
      expect(Object.keys(role).sort()).toEqual([
        "Description",
        "Id",
        "Name",
        "RoleScope",
        "RoleTypeId",
        "TenantId",
      ]);
      expect(role.TenantId).toBe(fake.tenantId);
    }
    // Client ids are GUIDs: ADH matches them whatever their case.
    expect(
      (await call(`/ClientCredentialClients/${fake.clientId.toUpperCase()}/Roles`)).res.status,
    ).toBe(200);

    fake.setBotAdmin(false);
    try {
      const member = await call(path);
      expect(member.res.status).toBe(200);
      expect(member.json).toEqual([
        expect.objectContaining({
          Name: "Tenant Member",
          RoleTypeId: FAKE_TENANT_MEMBER_ROLE_TYPE_ID,
        }),
      ]);
    } finally {
      fake.setBotAdmin(true);
    }

    const unknown = await call(`/ClientCredentialClients/${randomUUID()}/Roles`);
    expect(unknown.res.status).toBe(404);
    expect(Object.keys(unknown.json).sort()).toEqual([
      "Error",
      "OperationId",
      "Reason",
      "Resolution",
    ]);
    expect(unknown.json.OperationId).toBe(unknown.res.headers.get("operation-id"));

    const anonymous = await call(path, { headers: { authorization: "Bearer nope" } });
    expect(anonymous.res.status).toBe(401);
    expect(anonymous.text).toBe("");

    fake.inject("GET /ClientCredentialClients/:id/Roles", { status: 503 });
    expect((await call(path)).res.status).toBe(503);
    expect((await call(path)).res.status).toBe(200);
    expect(fake.callsTo("GET /ClientCredentialClients/:id/Roles")).toHaveLength(7);
  });

  it("injects faults per route and counts them down", async () => {
    fake.inject("GET /Users", { status: 503, retryAfter: 2, times: 2 });
    const first = await call("/Users");
    expect(first.res.status).toBe(503);
    expect(first.res.headers.get("retry-after")).toBe("2");
    expect((await call("/Users")).res.status).toBe(503);
    expect((await call("/Users")).res.status).toBe(200);
    expect(() => fake.inject("GET /Nope", { status: 500 })).toThrow(/no route/);
    fake.clearFaults();
  });
});
