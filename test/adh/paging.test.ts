// Lists come in pages (skip/count, Total-Count); ADH leaves out null fields.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdhClient } from "../../src/adh/client.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";

let fake: FakeAdh;

function clientFor(pageSize?: number): AdhClient {
  return new AdhClient({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger: pino({ level: "silent" }),
    retry: { baseDelayMs: 5 },
    ...(pageSize === undefined ? {} : { pageSize }),
  });
}

const queryOf = (path: string) => new URL(path, "http://x").searchParams;

beforeAll(async () => {
  fake = await startFakeAdh();
  for (let i = 0; i < 2_500; i++)
    fake.addUser({ email: `user${i}@example.com`, name: `User ${i}` });
  for (let i = 0; i < 250; i++) {
    fake.addClient({ Name: `client ${i}`, RedirectUris: [`https://c${i}.example.com/cb`] });
  }
});

afterAll(async () => {
  await fake.close();
});

describe("paging", () => {
  it("reads all 2,500 users in pages of 300", async () => {
    const adh = clientFor(300);
    try {
      const before = fake.callsTo("GET /Users").length;
      const users = await adh.listUsers();
      expect(users).toHaveLength(2_500);
      expect(new Set(users.map((u) => u.Id)).size).toBe(2_500);
      expect(users[2_499]).toMatchObject({
        Email: "user2499@example.com",
        RoleIds: [expect.any(String)],
      });
      const pages = fake.callsTo("GET /Users").slice(before);
      expect(pages).toHaveLength(9);
      expect(pages.map((p) => queryOf(p.path).get("skip"))).toEqual([
        "0",
        "300",
        "600",
        "900",
        "1200",
        "1500",
        "1800",
        "2100",
        "2400",
      ]);
      expect(pages.every((p) => queryOf(p.path).get("count") === "300")).toBe(true);
    } finally {
      await adh.close();
    }
  });

  it("reads users 1000 at a time by default", async () => {
    const adh = clientFor();
    try {
      const before = fake.callsTo("GET /Users").length;
      expect(await adh.listUsers()).toHaveLength(2_500);
      expect(fake.callsTo("GET /Users").length - before).toBe(3);
    } finally {
      await adh.close();
    }
  });

  it("reads all 250 clients in pages of 40 (and 100 by default)", async () => {
    const small = clientFor(40);
    const standard = clientFor();
    try {
      const before = fake.callsTo("GET /HybridClients").length;
      const clients = await small.listHybridClients();
      expect(clients.map((c) => c.Name)).toEqual(
        Array.from({ length: 250 }, (_, i) => `client ${i}`),
      );
      expect(fake.callsTo("GET /HybridClients").length - before).toBe(7);
      expect(await standard.listHybridClients()).toHaveLength(250);
      expect(fake.callsTo("GET /HybridClients").length - before).toBe(7 + 3);
    } finally {
      await small.close();
      await standard.close();
    }
  });

  it("one page reports the Total-Count", async () => {
    const adh = clientFor();
    try {
      const page = await adh.listUsersPage(2_480, 50);
      expect(page.items).toHaveLength(20);
      expect(page.total).toBe(2_500);
      const past = await adh.listHybridClientsPage(1_000, 10);
      expect(past).toEqual({ items: [], total: 250 });
    } finally {
      await adh.close();
    }
  });
});

describe("null omission", () => {
  it("a client stored with only Id and Name parses with empty lists", async () => {
    const adh = clientFor();
    try {
      const { id } = fake.addClient({ Name: "bare" });
      const client = await adh.getHybridClient(id);
      expect(client).toEqual({
        Id: id,
        Name: "bare",
        RedirectUris: [],
        PostLogoutRedirectUris: [],
      });
    } finally {
      await adh.close();
    }
  });

  it("a never-expiring secret arrives without Expiration and reads as null", async () => {
    const adh = clientFor();
    try {
      const { id } = fake.addClient({ Name: "secretive" }, [{ expiration: null }]);
      const token = await adh.getToken();
      const raw = await fetch(
        `${fake.url}/api/v1/Tenants/${fake.tenantId}/HybridClients/${id}/Secrets`,
        {
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
        },
      );
      expect(await raw.json()).toEqual([{ Id: 1, Expires: false }]);
      expect(await adh.listSecrets(id)).toEqual([{ Id: 1, Expiration: null, Expires: false }]);
    } finally {
      await adh.close();
    }
  });

  it("a user with no email fields parses", async () => {
    const adh = clientFor();
    try {
      const id = fake.addUser({});
      const users = await adh.listUsers();
      expect(users.find((u) => u.Id === id)).toMatchObject({
        Id: id,
        RoleIds: [expect.any(String)],
      });
      expect(users.find((u) => u.Id === id)).not.toHaveProperty("Email");
    } finally {
      await adh.close();
    }
  });
});

describe("roles", () => {
  it("a Tenant Administrator is recognised by RoleTypeId", async () => {
    const adh = clientFor();
    try {
      const admin = fake.addUser({ email: "admin@example.com", admin: true });
      const member = fake.addUser({ email: "member@example.com" });
      expect(await adh.isTenantAdministrator(admin)).toBe(true);
      expect(await adh.isTenantAdministrator(member)).toBe(false);
      const roles = await adh.getUserRoles(admin);
      expect(roles.map((r) => r.Name).sort()).toEqual(["Tenant Administrator", "Tenant Member"]);
    } finally {
      await adh.close();
    }
  });
});
