import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildReceiverRoutes } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/ops/metrics.js";
import { Readiness } from "../../src/ops/readiness.js";
import { type OpsRoutesDeps, opsRoutes } from "../../src/ops/routes.js";

const servers: Server[] = [];

/** A real HTTP server dispatching the way Bolt's receivers do (path + upper-case method). */
async function serve(deps: OpsRoutesDeps): Promise<string> {
  const routes = buildReceiverRoutes(opsRoutes(deps));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const handler = routes[path]?.[req.method ?? "GET"];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe("ops routes", () => {
  it("GET /healthz answers 200 ok while the process lives, even when dependencies fail or shutdown began", async () => {
    const readiness = new Readiness({
      redis: async () => {
        throw new Error("down");
      },
    });
    const base = await serve({ readiness, metrics: createMetrics(), isShuttingDown: () => true });
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 with the parts when all are ready", async () => {
    const readiness = new Readiness({
      redis: async () => {},
      slack: async () => {},
      adh: async () => {},
    });
    const base = await serve({ readiness, metrics: createMetrics(), isShuttingDown: () => false });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      ready: true,
      parts: { redis: { ok: true }, slack: { ok: true }, adh: { ok: true } },
      failing: [],
    });
  });

  it("GET /readyz answers 503 naming the failing part without its error text (that goes to onReport), then 200 once it recovers", async () => {
    let redisUp = false;
    const readiness = new Readiness(
      {
        redis: async () => {
          if (!redisUp) throw new Error("connect ECONNREFUSED 127.0.0.1:6390");
        },
        slack: async () => {},
      },
      { cacheMs: 0 },
    );
    const reported: string[] = [];
    const base = await serve({
      readiness,
      metrics: createMetrics(),
      isShuttingDown: () => false,
      onReport: (report) => reported.push(JSON.stringify(report)),
    });

    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      ready: false,
      parts: { redis: { ok: false }, slack: { ok: true } },
      failing: ["redis"],
    });
    expect(reported.join()).toContain("connect ECONNREFUSED 127.0.0.1:6390");

    redisUp = true;
    const up = await fetch(`${base}/readyz`);
    expect(up.status).toBe(200);
    expect(((await up.json()) as { ready: boolean }).ready).toBe(true);
  });

  it("GET /readyz reports a hanging part as failing within the timeout", async () => {
    const readiness = new Readiness({ adh: () => new Promise<void>(() => {}) }, { timeoutMs: 150 });
    const base = await serve({ readiness, metrics: createMetrics(), isShuttingDown: () => false });
    const started = performance.now();
    const res = await fetch(`${base}/readyz`);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ready: false,
      parts: { adh: { ok: false } },
      failing: ["adh"],
    });
  });

  it("GET /readyz answers 503 shutting down once shutdown began, without checking parts", async () => {
    let checked = 0;
    const readiness = new Readiness({
      redis: async () => {
        checked += 1;
      },
    });
    let shuttingDown = false;
    const base = await serve({
      readiness,
      metrics: createMetrics(),
      isShuttingDown: () => shuttingDown,
    });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    shuttingDown = true;
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, status: "shutting down" });
    expect(checked).toBe(1);
  });

  it("GET /metrics answers Prometheus text with the registry's content type", async () => {
    const metrics = createMetrics();
    metrics.approvals.inc({ outcome: "created" });
    const base = await serve({
      readiness: new Readiness({}),
      metrics,
      isShuttingDown: () => false,
    });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(metrics.registry.contentType);
    const text = await res.text();
    expect(text).toContain("# TYPE hcb_approvals_total counter");
    expect(text).toContain('hcb_approvals_total{outcome="created"} 1');
    expect(text).toContain("hcb_slack_requests_total");
  });
});
