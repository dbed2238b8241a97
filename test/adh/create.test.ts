// Creating a hybrid client: each documented status, and the idempotent retry that must
// leave exactly one client behind whatever happens to the first attempt.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AdhClient, CreateHybridClientInput } from "../../src/adh/client.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { adhClientFor, rejection } from "./support.js";

let fake: FakeAdh;
let adh: AdhClient;

const input = (extra: Partial<CreateHybridClientInput> = {}): CreateHybridClientInput => ({
  Id: randomUUID(),
  Name: "Grafana",
  RedirectUris: ["https://grafana.example.com/login/generic_oauth"],
  PostLogoutRedirectUris: [],
  AccessTokenLifetime: 3600,
  AllowOfflineAccess: true,
  SecretDescription: "created by hybrid-client-bot",
  SecretExpirationDate: "2030-06-01T00:00:00.000Z",
  ...extra,
});

const createCalls = () => fake.callsTo("POST /HybridClients");
const clientsWithId = (id: string) => fake.clients().filter((c) => c.Id === id);

beforeAll(async () => {
  fake = await startFakeAdh();
  adh = adhClientFor(fake);
});

afterEach(() => fake.clearFaults());

afterAll(async () => {
  await adh.close();
  await fake.close();
});

describe("createHybridClient", () => {
  it("201: returns the client and its initial secret, existed=false", async () => {
    const req = input({ PostLogoutRedirectUris: ["https://grafana.example.com/"] });
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(false);
    expect(result.client).toMatchObject({
      Id: req.Id,
      Name: "Grafana",
      RedirectUris: req.RedirectUris,
      PostLogoutRedirectUris: ["https://grafana.example.com/"],
      AccessTokenLifetime: 3600,
      AllowOfflineAccess: true,
    });
    expect(result.initialSecret?.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(fake.secretWorks(req.Id, result.initialSecret!.value)).toBe(true);
    expect(fake.secretsOf(req.Id)).toEqual([
      {
        Id: result.initialSecret!.id,
        Description: "created by hybrid-client-bot",
        Expiration: "2030-06-01T00:00:00.000Z",
        Expires: true,
      },
    ]);
  });

  it("a never-expiring initial secret is sent as SecretExpirationDate null", async () => {
    const req = input({ SecretExpirationDate: null });
    await adh.createHybridClient(req);
    expect(fake.secretsOf(req.Id)[0]).toMatchObject({ Expiration: null, Expires: false });
  });

  it("400: not retried, and ADH's OperationId and reason reach the error", async () => {
    const before = createCalls().length;
    const err = await rejection(adh.createHybridClient(input({ RedirectUris: [] })));
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.route).toBe("POST /HybridClients");
    expect(err.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.reason).toMatch(/RedirectUris/);
    expect(err.describe()).toContain(`(Operation-Id ${err.operationId})`);
    expect(createCalls().length - before).toBe(1);
  });

  it("401: an expired token is refreshed once and the create goes through", async () => {
    fake.expireTokens();
    const req = input();
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(false);
    expect(
      createCalls()
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([401, 201]);
    expect(clientsWithId(req.Id)).toHaveLength(1);
  });

  it("401 twice: gives up after one refresh", async () => {
    fake.inject("POST /HybridClients", { status: 401, times: 5 });
    const before = createCalls().length;
    const err = await rejection(adh.createHybridClient(input()));
    expect(err.status).toBe(401);
    expect(createCalls().length - before).toBe(2);
  });

  it("403: not retried; the message says which role is missing", async () => {
    fake.inject("POST /HybridClients", { status: 403 });
    const before = createCalls().length;
    const err = await rejection(adh.createHybridClient(input()));
    expect(err.status).toBe(403);
    expect(err.describe()).toMatch(/Tenant Administrator/);
    expect(createCalls().length - before).toBe(1);
  });

  it("404: a wrong tenant is an error with ADH's OperationId", async () => {
    const other = adhClientFor(fake, { tenantId: randomUUID() });
    try {
      const err = await rejection(other.createHybridClient(input()));
      expect(err.status).toBe(404);
      expect(err.operationId).toBeDefined();
      expect(err.retryable).toBe(false);
    } finally {
      await other.close();
    }
  });

  it("408: retried, one client", async () => {
    fake.inject("POST /HybridClients", { status: 408 });
    const req = input();
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(false);
    expect(result.initialSecret).toBeDefined();
    expect(
      createCalls()
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([408, 201]);
    expect(clientsWithId(req.Id)).toHaveLength(1);
  });

  it("409 on the first attempt is a real conflict", async () => {
    const { id } = fake.addClient({ Name: "someone else's", RedirectUris: ["https://x"] });
    const before = createCalls().length;
    const err = await rejection(adh.createHybridClient(input({ Id: id })));
    expect(err.status).toBe(409);
    expect(err.retryable).toBe(false);
    expect(createCalls().length - before).toBe(1);
  });

  it("409 after a 429 (which applies nothing) is still a real conflict", async () => {
    const { id } = fake.addClient({ Name: "taken", RedirectUris: ["https://x"] });
    fake.inject("POST /HybridClients", { status: 429 });
    const err = await rejection(adh.createHybridClient(input({ Id: id })));
    expect(err.status).toBe(409);
  });

  it("500: retried, one client", async () => {
    fake.inject("POST /HybridClients", { status: 500, times: 2 });
    const req = input();
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(false);
    expect(
      createCalls()
        .slice(-3)
        .map((c) => c.status),
    ).toEqual([500, 500, 201]);
    expect(clientsWithId(req.Id)).toHaveLength(1);
  });

  it("applied then 500: the retry's 409 means it exists; the caller gets that one client", async () => {
    fake.inject("POST /HybridClients", { applyThenFail: 500 });
    const req = input();
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(true);
    expect(result.initialSecret).toBeUndefined();
    expect(result.client).toMatchObject({ Id: req.Id, Name: req.Name });
    expect(
      createCalls()
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([500, 409]);
    expect(clientsWithId(req.Id)).toHaveLength(1);
  });

  it("applied then the connection drops: retried, exists, one client", async () => {
    fake.inject("POST /HybridClients", { applyThenDrop: true });
    const req = input();
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(true);
    expect(clientsWithId(req.Id)).toHaveLength(1);
  });

  it("connection dropped before applying: retried, created once", async () => {
    fake.inject("POST /HybridClients", { dropConnection: true });
    const req = input();
    const result = await adh.createHybridClient(req);
    expect(result.existed).toBe(false);
    expect(
      createCalls()
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([0, 201]);
    expect(clientsWithId(req.Id)).toHaveLength(1);
  });

  it("a response slower than the headers timeout: retried, one client", async () => {
    const impatient = adhClientFor(fake, { timeouts: { headersMs: 150 } });
    try {
      fake.inject("POST /HybridClients", { delayMs: 400 });
      const req = input();
      const result = await impatient.createHybridClient(req);
      // The slow attempt is still applied by the server after we gave up on it; whichever
      // attempt lands first creates the client, the other finds it.
      expect(result.client.Id).toBe(req.Id);
      expect(
        createCalls()
          .slice(-2)
          .map((c) => c.status),
      ).toEqual(expect.arrayContaining([201]));
      await fake.idle(); // the slow attempt finishes on the server
      expect(clientsWithId(req.Id)).toHaveLength(1);
    } finally {
      await impatient.close();
    }
  });

  it("retries stop at maxAttempts and the last error is thrown", async () => {
    const few = adhClientFor(fake, { retry: { maxAttempts: 3, baseDelayMs: 1 } });
    try {
      fake.inject("POST /HybridClients", { status: 503, times: 10 });
      const before = createCalls().length;
      const err = await rejection(few.createHybridClient(input()));
      expect(err.status).toBe(503);
      expect(err.retryable).toBe(true);
      expect(createCalls().length - before).toBe(3);
    } finally {
      await few.close();
    }
  });
});

describe("other client operations", () => {
  it("get: 404 is null; update changes only the given fields; delete is idempotent", async () => {
    expect(await adh.getHybridClient(randomUUID())).toBeNull();
    const req = input();
    await adh.createHybridClient(req);
    const updated = await adh.updateHybridClient(req.Id, { Name: "Renamed", Enabled: false });
    expect(updated).toMatchObject({
      Id: req.Id,
      Name: "Renamed",
      Enabled: false,
      AllowOfflineAccess: true,
    });
    const put = fake.callsTo("PUT /HybridClients/:id").at(-1);
    expect(put?.status).toBe(200);
    await adh.deleteHybridClient(req.Id);
    await adh.deleteHybridClient(req.Id);
    expect(
      fake
        .callsTo("DELETE /HybridClients/:id")
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([204, 404]);
    expect(await adh.getHybridClient(req.Id)).toBeNull();
  });

  it("every call sends Accept: application/json", () => {
    expect(fake.calls.length).toBeGreaterThan(0);
    for (const call of fake.calls) expect(call.accept).toBe("application/json");
  });
});
