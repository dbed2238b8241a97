// Adding and removing client secrets. Adding is not idempotent: a repeat after an
// ambiguous failure could mint a second secret, so only "surely not applied" is retried.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdhClient } from "../../src/adh/client.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { rejection } from "./support.js";

let fake: FakeAdh;
let adh: AdhClient;

const EXPIRY = "2031-02-03T04:05:06.000Z";
const addCalls = () => fake.callsTo("POST /HybridClients/:id/Secrets");

const newClient = () => fake.addClient({ Name: "app", RedirectUris: ["https://app/cb"] }).id;

beforeAll(async () => {
  fake = await startFakeAdh();
  adh = new AdhClient({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger: pino({ level: "silent" }),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
});

afterEach(() => fake.clearFaults());

afterAll(async () => {
  await adh.close();
  await fake.close();
});

describe("addSecret", () => {
  it("201: returns the value once; Expires follows Expiration", async () => {
    const id = newClient();
    const dated = await adh.addSecret(id, { Description: "rotation", Expiration: EXPIRY });
    expect(dated.secret).toEqual({
      Id: 1,
      Description: "rotation",
      Expiration: EXPIRY,
      Expires: true,
    });
    expect(dated.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(fake.secretWorks(id, dated.value)).toBe(true);

    const never = await adh.addSecret(id, { Description: "forever", Expiration: null });
    expect(never.secret).toEqual({
      Id: 2,
      Description: "forever",
      Expiration: null,
      Expires: false,
    });
    expect(await adh.listSecrets(id)).toEqual([dated.secret, never.secret]);
  });

  it("400: the 11th secret is refused, not retried, OperationId in the error", async () => {
    const id = fake.addClient(
      { Name: "full", RedirectUris: ["https://a"] },
      Array.from({ length: 10 }, () => ({ expiration: EXPIRY })),
    ).id;
    const before = addCalls().length;
    const err = await rejection(adh.addSecret(id, { Description: "x", Expiration: EXPIRY }));
    expect(err.status).toBe(400);
    expect(err.reason).toMatch(/10 secrets/);
    expect(err.operationId).toBeDefined();
    expect(err.describe()).toContain(err.operationId);
    expect(addCalls().length - before).toBe(1);
  });

  it("401: an expired token is refreshed and the secret is minted once", async () => {
    const id = newClient();
    fake.expireTokens();
    await adh.addSecret(id, { Description: "after 401", Expiration: EXPIRY });
    expect(
      addCalls()
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([401, 201]);
    expect(fake.secretsOf(id)).toHaveLength(1);
  });

  it("403 and 404 (unknown client, other tenant) are errors, not retried", async () => {
    const id = newClient();
    fake.inject("POST /HybridClients/:id/Secrets", { status: 403 });
    expect(
      (await rejection(adh.addSecret(id, { Description: "", Expiration: EXPIRY }))).status,
    ).toBe(403);
    const missing = await rejection(
      adh.addSecret(randomUUID(), { Description: "", Expiration: EXPIRY }),
    );
    expect(missing.status).toBe(404);
    expect(missing.operationId).toBeDefined();
    const other = new AdhClient({
      baseUrl: fake.url,
      tenantId: randomUUID(),
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      logger: pino({ level: "silent" }),
    });
    try {
      expect(
        (await rejection(other.addSecret(id, { Description: "", Expiration: EXPIRY }))).status,
      ).toBe(404);
    } finally {
      await other.close();
    }
    expect(fake.secretsOf(id)).toHaveLength(0);
  });

  it("500 is not retried: it may have been applied (one call, error is retryable for a person)", async () => {
    const id = newClient();
    fake.inject("POST /HybridClients/:id/Secrets", { applyThenFail: 500 });
    const before = addCalls().length;
    const err = await rejection(adh.addSecret(id, { Description: "", Expiration: EXPIRY }));
    expect(err.status).toBe(500);
    expect(err.retryable).toBe(true);
    expect(addCalls().length - before).toBe(1);
    expect(fake.secretsOf(id)).toHaveLength(1); // applied once, never twice
  });

  it("408 and a dropped connection are not retried either", async () => {
    const id = newClient();
    fake.inject("POST /HybridClients/:id/Secrets", { status: 408 });
    const before = addCalls().length;
    expect(
      (await rejection(adh.addSecret(id, { Description: "", Expiration: EXPIRY }))).status,
    ).toBe(408);
    fake.inject("POST /HybridClients/:id/Secrets", { applyThenDrop: true });
    const dropped = await rejection(adh.addSecret(id, { Description: "", Expiration: EXPIRY }));
    expect(dropped.status).toBeUndefined();
    expect(dropped.retryable).toBe(true);
    expect(addCalls().length - before).toBe(2);
    expect(fake.secretsOf(id)).toHaveLength(1);
  });

  it("429 is retried (nothing was applied) and one secret results", async () => {
    const id = newClient();
    fake.inject("POST /HybridClients/:id/Secrets", { status: 429, times: 2 });
    const result = await adh.addSecret(id, { Description: "", Expiration: EXPIRY });
    expect(
      addCalls()
        .slice(-3)
        .map((c) => c.status),
    ).toEqual([429, 429, 201]);
    expect(fake.secretsOf(id)).toEqual([result.secret]);
  });

  it("503 is retried only with Retry-After", async () => {
    const id = newClient();
    fake.inject("POST /HybridClients/:id/Secrets", { status: 503, retryAfter: 0 });
    await adh.addSecret(id, { Description: "", Expiration: EXPIRY });
    expect(
      addCalls()
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([503, 201]);

    fake.inject("POST /HybridClients/:id/Secrets", { status: 503 });
    const before = addCalls().length;
    expect(
      (await rejection(adh.addSecret(id, { Description: "", Expiration: EXPIRY }))).status,
    ).toBe(503);
    expect(addCalls().length - before).toBe(1);
  });
});

describe("deleteSecret and listSecrets", () => {
  it("deletes; a secret already gone counts as deleted", async () => {
    const { id, secretIds } = fake.addClient({ Name: "del", RedirectUris: ["https://a"] }, [
      { description: "a", expiration: EXPIRY },
      { description: "b", expiration: null },
    ]);
    await adh.deleteSecret(id, secretIds[0]!);
    await adh.deleteSecret(id, secretIds[0]!);
    expect(await adh.listSecrets(id)).toEqual([
      { Id: secretIds[1], Description: "b", Expiration: null, Expires: false },
    ]);
  });

  it("a delete that fails with 500 is retried (it is idempotent)", async () => {
    const { id, secretIds } = fake.addClient({ Name: "del", RedirectUris: ["https://a"] }, [
      { expiration: EXPIRY },
    ]);
    fake.inject("DELETE /HybridClients/:id/Secrets/:sid", { applyThenFail: 500 });
    await adh.deleteSecret(id, secretIds[0]!);
    expect(
      fake
        .callsTo("DELETE /HybridClients/:id/Secrets/:sid")
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([500, 404]);
    expect(fake.secretsOf(id)).toEqual([]);
  });
});
