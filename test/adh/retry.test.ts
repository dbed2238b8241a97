// Retries: backoff, Retry-After, deadlines and network failures — and what each attempt
// leaves in the logs and metrics (never a secret).

import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdhClient } from "../../src/adh/client.js";
import { createLogger } from "../../src/log.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { adhClientFor, rejection } from "./support.js";

let fake: FakeAdh;

const userCalls = () => fake.callsTo("GET /Users");

beforeAll(async () => {
  fake = await startFakeAdh();
  fake.addUser({ email: "someone@example.com" });
});

afterEach(() => fake.clearFaults());

afterAll(async () => {
  await fake.close();
});

describe("retries", () => {
  it("429 with Retry-After: 1 waits at least a second, then succeeds", async () => {
    const adh = adhClientFor(fake);
    try {
      await adh.getToken();
      fake.inject("GET /Users", { status: 429, retryAfter: 1 });
      await adh.listUsers();
      const [limited, ok] = userCalls().slice(-2);
      expect(limited?.status).toBe(429);
      expect(ok?.status).toBe(200);
      expect(ok!.at - limited!.at).toBeGreaterThanOrEqual(1_000);
    } finally {
      await adh.close();
    }
  });

  it("500 twice then success", async () => {
    const adh = adhClientFor(fake);
    try {
      fake.inject("GET /Users", { status: 500, times: 2 });
      expect(await adh.listUsers()).toHaveLength(1);
      expect(
        userCalls()
          .slice(-3)
          .map((c) => c.status),
      ).toEqual([500, 500, 200]);
    } finally {
      await adh.close();
    }
  });

  it("502, 504 and a dropped connection are retried on reads", async () => {
    const adh = adhClientFor(fake);
    try {
      fake.inject("GET /Users", { status: 502 });
      fake.inject("GET /Users", { status: 504 });
      fake.inject("GET /Users", { dropConnection: true });
      expect(await adh.listUsers()).toHaveLength(1);
      expect(
        userCalls()
          .slice(-4)
          .map((c) => c.status),
      ).toEqual([502, 504, 0, 200]);
    } finally {
      await adh.close();
    }
  });

  it("a Retry-After beyond the deadline fails at once instead of waiting", async () => {
    const adh = adhClientFor(fake, { retry: { deadlineMs: 2_000 } });
    try {
      await adh.getToken();
      fake.inject("GET /Users", { status: 503, retryAfter: 30 });
      const started = performance.now();
      const err = await rejection(adh.listUsers());
      expect(err.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await adh.close();
    }
  });

  it("the deadline bounds the whole call, attempts and waits included", async () => {
    const adh = adhClientFor(fake, { retry: { deadlineMs: 300, baseDelayMs: 5 } });
    try {
      await adh.getToken();
      fake.inject("GET /Users", { delayMs: 1_000 });
      const started = performance.now();
      const err = await rejection(adh.listUsers());
      expect(err.status).toBeUndefined();
      expect(err.retryable).toBe(true);
      expect(err.describe()).toMatch(/Could not reach ADH for GET \/Users: no answer within/);
      expect(performance.now() - started).toBeLessThan(900);
    } finally {
      await adh.close();
    }
  });

  it("connection refused: retried, then a network AdhError", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((r) => closed.close(() => r()));
    const attempts: (number | "network")[] = [];
    const adh = new AdhClient({
      baseUrl: `http://127.0.0.1:${port}`,
      tenantId: randomUUID(),
      clientId: "id",
      clientSecret: "secret",
      logger: pino({ level: "silent" }),
      retry: { maxAttempts: 3, baseDelayMs: 1 },
      onCall: (c) => attempts.push(c.status),
    });
    try {
      const err = await rejection(adh.listUsers());
      expect(err.status).toBeUndefined();
      expect(err.route).toBe("POST /token");
      expect(err.describe()).toMatch(/connection refused/);
      expect(attempts).toEqual(["network", "network", "network"]);
    } finally {
      await adh.close();
    }
  });

  it("onCall sees every attempt with its route, status and duration", async () => {
    const seen: { route: string; status: number | "network"; durationMs: number }[] = [];
    const adh = adhClientFor(fake, { onCall: (c) => seen.push(c) });
    try {
      fake.inject("GET /Users", { status: 500 });
      await adh.listUsers();
      expect(seen.map((c) => `${c.route} ${c.status}`)).toEqual([
        "POST /token 200",
        "GET /Users 500",
        "GET /Users 200",
      ]);
      expect(seen.every((c) => c.durationMs >= 0)).toBe(true);
    } finally {
      await adh.close();
    }
  });

  it("respects a server's concurrency limit by honouring its 429s", async () => {
    const limited = await startFakeAdh({ maxInFlight: 4, latencyMs: 20 });
    const adh = new AdhClient({
      baseUrl: limited.url,
      tenantId: limited.tenantId,
      clientId: limited.clientId,
      clientSecret: limited.clientSecret,
      logger: pino({ level: "silent" }),
      retry: { baseDelayMs: 5, maxAttempts: 10 },
    });
    try {
      await adh.getToken();
      const results = await Promise.all(Array.from({ length: 8 }, () => adh.listHybridClients()));
      expect(results).toHaveLength(8);
      expect(limited.maxObservedInFlight).toBeLessThanOrEqual(4);
      expect(limited.count429).toBeGreaterThan(0);
    } finally {
      await adh.close();
      await limited.close();
    }
  });
});

describe("logging", () => {
  it("one debug line per attempt with route, status, ms and Operation-Id; never a secret or token", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const adh = adhClientFor(fake, { logger: createLogger({ level: "trace", destination: sink }) });
    try {
      const created = await adh.createHybridClient({
        Id: randomUUID(),
        Name: "logged",
        RedirectUris: ["https://logged/cb"],
        PostLogoutRedirectUris: [],
        AccessTokenLifetime: 600,
        AllowOfflineAccess: false,
        SecretDescription: "initial",
        SecretExpirationDate: null,
      });
      fake.inject("POST /HybridClients/:id/Secrets", { status: 429 });
      const added = await adh.addSecret(created.client.Id, { Description: "x", Expiration: null });
      fake.inject("POST /HybridClients/:id/Secrets", { status: 400 });
      await adh
        .addSecret(created.client.Id, { Description: "x", Expiration: null })
        .catch(() => {});

      const text = lines.join("");
      for (const secret of [
        fake.clientSecret,
        created.initialSecret!.value,
        added.value,
        ...fake.issuedTokens,
      ]) {
        expect(text).not.toContain(secret);
      }
      const calls = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "adh call");
      expect(calls.map((l) => `${l.route} ${l.status}`)).toEqual([
        "POST /token 200",
        "POST /HybridClients 201",
        "POST /HybridClients/:id/Secrets 429",
        "POST /HybridClients/:id/Secrets 201",
        "POST /HybridClients/:id/Secrets 400",
      ]);
      for (const l of calls) {
        expect(l.level).toBe("debug");
        expect(l.operationId).toMatch(/^[0-9a-f-]{36}$/);
        expect(typeof l.ms).toBe("number");
      }
    } finally {
      await adh.close();
    }
  });
});
