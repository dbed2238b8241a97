import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdhError } from "../../src/adh/errors.js";
import { refreshMarginMs } from "../../src/adh/token.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { adhClientFor } from "./support.js";

let fake: FakeAdh;

const tokenCalls = (target: FakeAdh = fake) => target.callsTo("POST /token").length;

beforeAll(async () => {
  fake = await startFakeAdh();
});

afterAll(async () => {
  await fake.close();
});

describe("access token", () => {
  it("is fetched once for many calls, concurrent ones included", async () => {
    const adh = adhClientFor(fake);
    try {
      const before = tokenCalls();
      await Promise.all(Array.from({ length: 20 }, () => adh.listHybridClients()));
      for (let i = 0; i < 5; i++) await adh.listUsers();
      expect(tokenCalls() - before).toBe(1);
      const tokenCall = fake.callsTo("POST /token").at(-1);
      expect(tokenCall?.path).toBe("/identity/connect/token");
    } finally {
      await adh.close();
    }
  });

  it("is refreshed when less than 5 minutes remain (clock moved)", async () => {
    let now = 1_700_000_000_000;
    const adh = adhClientFor(fake, { now: () => now });
    try {
      const first = await adh.getToken();
      now += (3600 - 301) * 1000;
      expect(await adh.getToken()).toBe(first);
      now += 2_000; // 299 s left
      const second = await adh.getToken();
      expect(second).not.toBe(first);
      expect(fake.issuedTokens).toContain(second);
    } finally {
      await adh.close();
    }
  });

  it("short-lived tokens are refreshed 10 % early", () => {
    expect(refreshMarginMs(3600)).toBe(300_000);
    expect(refreshMarginMs(600)).toBe(60_000);
    expect(refreshMarginMs(1)).toBe(100);
  });

  it("is refreshed before ADH would reject it (1 s tokens, real time)", async () => {
    const shortLived = await startFakeAdh({ tokenLifetimeSeconds: 1 });
    const adh = adhClientFor(shortLived);
    try {
      await adh.listUsers();
      await new Promise((r) => setTimeout(r, 1_000)); // the token's whole life must pass
      await adh.listUsers();
      expect(tokenCalls(shortLived)).toBe(2);
      expect(shortLived.calls.filter((c) => c.status === 401)).toEqual([]);
    } finally {
      await adh.close();
      await shortLived.close();
    }
  });

  it("a 401 drops the token, fetches a new one and retries the call once", async () => {
    const adh = adhClientFor(fake);
    try {
      await adh.listUsers();
      const before = fake.calls.length;
      fake.expireTokens();
      await adh.listUsers();
      expect(fake.calls.slice(before).map((c) => `${c.route} ${c.status}`)).toEqual([
        "GET /Users 401",
        "POST /token 200",
        "GET /Users 200",
      ]);
    } finally {
      await adh.close();
    }
  });

  it("bad credentials: a non-retryable error naming the settings, without the secret", async () => {
    const adh = adhClientFor(fake, { clientSecret: "wrong-secret-value-1234567890" });
    try {
      const before = tokenCalls();
      const err = await adh.listUsers().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdhError);
      const adhErr = err as AdhError;
      expect(adhErr.status).toBe(400);
      expect(adhErr.retryable).toBe(false);
      expect(adhErr.route).toBe("POST /token");
      expect(adhErr.describe()).toMatch(/invalid_client.*ADH_CLIENT_ID and ADH_CLIENT_SECRET/);
      expect(adhErr.describe()).not.toContain("wrong-secret-value");
      expect(tokenCalls() - before).toBe(1);
    } finally {
      await adh.close();
    }
  });

  it("a failing token endpoint is retried like any safe call", async () => {
    const adh = adhClientFor(fake);
    try {
      fake.inject("POST /token", { status: 503, times: 2 });
      const before = tokenCalls();
      await adh.getToken();
      expect(tokenCalls() - before).toBe(3);
    } finally {
      fake.clearFaults();
      await adh.close();
    }
  });
});
