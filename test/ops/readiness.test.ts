import { describe, expect, it } from "vitest";
import { Readiness, rememberSuccess } from "../../src/ops/readiness.js";

const ok = async () => {};

describe("Readiness", () => {
  it("is ready when every part answers", async () => {
    const readiness = new Readiness({ redis: ok, slack: ok, adh: ok });
    expect(await readiness.check()).toEqual({
      ready: true,
      parts: { redis: { ok: true }, slack: { ok: true }, adh: { ok: true } },
    });
  });

  it("names the failing part with its error message", async () => {
    const readiness = new Readiness({
      redis: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:6390");
      },
      slack: ok,
    });
    expect(await readiness.check()).toEqual({
      ready: false,
      parts: {
        redis: { ok: false, error: "connect ECONNREFUSED 127.0.0.1:6390" },
        slack: { ok: true },
      },
    });
  });

  it("never echoes a token found in an error message", async () => {
    const readiness = new Readiness({
      slack: async () => {
        throw new Error("auth failed for xoxb-1234-5678-abcdef");
      },
    });
    const { parts } = await readiness.check();
    expect(parts.slack?.error).not.toContain("xoxb-1234");
    expect(parts.slack?.error).toContain("[Redacted]");
  });

  it("recovers by itself when the part recovers", async () => {
    let down = true;
    const readiness = new Readiness(
      {
        redis: async () => {
          if (down) throw new Error("Connection is closed.");
        },
      },
      { cacheMs: 0 },
    );
    expect((await readiness.check()).ready).toBe(false);
    down = false;
    expect(await readiness.check()).toEqual({ ready: true, parts: { redis: { ok: true } } });
  });

  it("reports a hanging part as failing within the timeout and aborts it", async () => {
    let aborted = false;
    const readiness = new Readiness(
      {
        adh: (signal) =>
          new Promise<void>(() => {
            signal.addEventListener("abort", () => {
              aborted = true;
            });
          }),
        redis: ok,
      },
      { timeoutMs: 100 },
    );
    const started = performance.now();
    const report = await readiness.check();
    const elapsed = performance.now() - started;
    expect(report.ready).toBe(false);
    expect(report.parts.adh).toEqual({ ok: false, error: "no answer within 100 ms" });
    expect(report.parts.redis).toEqual({ ok: true });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
    expect(aborted).toBe(true);
  });

  it("runs parts concurrently", async () => {
    const running = new Set<string>();
    let maxConcurrent = 0;
    const slow = (name: string) => async () => {
      running.add(name);
      maxConcurrent = Math.max(maxConcurrent, running.size);
      await new Promise((resolve) => setImmediate(resolve));
      running.delete(name);
    };
    await new Readiness({ a: slow("a"), b: slow("b"), c: slow("c") }).check();
    expect(maxConcurrent).toBe(3);
  });

  it("serves a probe storm from one round of checks, then checks again after cacheMs", async () => {
    let calls = 0;
    let clock = 0;
    const readiness = new Readiness(
      {
        slack: async () => {
          calls += 1;
        },
      },
      { cacheMs: 2_000, now: () => clock },
    );
    await Promise.all(Array.from({ length: 50 }, () => readiness.check()));
    await readiness.check();
    expect(calls).toBe(1);
    clock = 2_000;
    await readiness.check();
    expect(calls).toBe(2);
  });

  it("treats a check that throws synchronously as failed", async () => {
    const readiness = new Readiness({
      broken: () => {
        throw new Error("not wired");
      },
    });
    expect((await readiness.check()).parts.broken).toEqual({ ok: false, error: "not wired" });
  });
});

describe("rememberSuccess", () => {
  it("skips the call while a success is fresh and never remembers a failure", async () => {
    let clock = 0;
    let calls = 0;
    let fail = false;
    const check = rememberSuccess(
      async () => {
        calls += 1;
        if (fail) throw new Error("invalid_auth");
      },
      60_000,
      () => clock,
    );
    const signal = new AbortController().signal;
    await check(signal);
    clock = 59_999;
    await check(signal);
    expect(calls).toBe(1);
    clock = 60_000;
    fail = true;
    await expect(check(signal)).rejects.toThrow("invalid_auth");
    await expect(check(signal)).rejects.toThrow("invalid_auth");
    expect(calls).toBe(3);
    fail = false;
    await check(signal);
    await check(signal);
    expect(calls).toBe(4);
  });
});
