import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { createMetrics } from "../../src/ops/metrics.js";
import { AuditShipper } from "../../src/store/audit-shipper.js";
import { AuditTrail } from "../../src/store/audit-stream.js";
import { closeRedis } from "../../src/store/redis.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const SECRET = "webhook-shared-secret-for-tests";
const logger = createLogger({ level: "silent" });

/** A receiver that checks signatures the way the README tells users to. */
async function startReceiver() {
  const accepted: { id: string; body: string }[] = [];
  let refused = 0;
  let up = true;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (!up) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      const expected = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
      const got = String(req.headers["x-audit-signature"] ?? "");
      const valid =
        got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
      if (!valid) {
        res.writeHead(401).end();
        return;
      }
      accepted.push({ id: JSON.parse(body).id, body });
      res.writeHead(204).end();
      for (const w of waiters.filter((w) => accepted.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`,
    accepted,
    refusedCount: () => refused,
    setUp(value: boolean) {
      up = value;
    },
    received(count: number) {
      if (accepted.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const prefixes: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
function setup() {
  const prefix = testPrefix("ship");
  prefixes.push(prefix);
  const redis = testRedis(prefix);
  cleanups.push(() => closeRedis(redis));
  return { redis, trail: new AuditTrail(redis) };
}
function shipper(redis: ReturnType<typeof testRedis>, url: string) {
  const s = new AuditShipper({
    redis,
    url,
    secret: SECRET,
    logger,
    pollMs: 20,
    retryBaseMs: 20,
    retryMaxMs: 200,
    leaseMs: 2_000,
  });
  cleanups.push(() => s.stop());
  return s;
}
async function appendMany(trail: AuditTrail, from: number, to: number) {
  for (let i = from; i < to; i++) {
    await trail.append({
      id: `ship-${i}`,
      at: Date.now(),
      type: "reminder.sent",
      actor: "system",
      details: { n: i },
    });
  }
}
const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `ship-${from + i}`);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await Promise.all(prefixes.map(deletePrefix));
});

describe("audit webhook", () => {
  it("receives every event once, in order, signed", async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { redis, trail } = setup();
    await appendMany(trail, 0, 30);
    shipper(redis, receiver.url).start();
    await receiver.received(30);
    await appendMany(trail, 30, 40);
    await receiver.received(40);
    expect(receiver.accepted.map((a) => a.id)).toEqual(ids(0, 40));
    // The body is the exported event, chain fields included.
    const first = JSON.parse(receiver.accepted[1]?.body ?? "{}");
    expect(first).toMatchObject({ v: 1, type: "reminder.sent", details: { n: 1 } });
    expect(first.prev).toBe(JSON.parse(receiver.accepted[0]?.body ?? "{}").hash);
  });

  it("catches up without loss after the endpoint was down, across a restart", async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { redis, trail } = setup();
    const metrics = createMetrics({ defaultMetrics: false });
    const first = shipper(redis, receiver.url);
    metrics.setAuditBacklogSource(() => first.backlog());
    first.start();
    await appendMany(trail, 0, 5);
    await receiver.received(5);

    receiver.setUp(false);
    await appendMany(trail, 5, 25);
    // Wait until the shipper has hit the dead endpoint a few times (retried with backoff).
    while (receiver.refusedCount() < 3) await new Promise((r) => setImmediate(r));
    const backlog = await first.backlog();
    expect(backlog.events).toBe(20);
    expect(backlog.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    const scrape = await metrics.registry.metrics();
    expect(scrape).toContain("hcb_audit_webhook_backlog_events 20");
    expect(scrape).toMatch(/hcb_audit_webhook_oldest_unshipped_age_seconds \d/);

    // A restart while the endpoint is down: a new shipper resumes from the cursor.
    await first.stop();
    const second = shipper(redis, receiver.url);
    second.start();
    receiver.setUp(true);
    await receiver.received(25);
    expect(receiver.accepted.map((a) => a.id)).toEqual(ids(0, 25));
    // The cursor moves right after each 2xx: the backlog drains to nothing.
    while ((await second.backlog()).events > 0) await new Promise((r) => setImmediate(r));
    expect(await second.backlog()).toEqual({ events: 0, oldestAgeSeconds: 0 });
  });

  it("two shippers: one ships, every event exactly once", async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const { redis, trail } = setup();
    const { redis: other } = { redis: testRedis(prefixes[prefixes.length - 1] as string) };
    cleanups.push(() => closeRedis(other));
    await appendMany(trail, 0, 50);
    shipper(redis, receiver.url).start();
    shipper(other, receiver.url).start();
    await receiver.received(50);
    await appendMany(trail, 50, 60);
    await receiver.received(60);
    expect(receiver.accepted.map((a) => a.id)).toEqual(ids(0, 60));
  });

  it("a hanging endpoint never holds up an append", async () => {
    // Accepts the connection and never answers: the shipper's POST hangs.
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    });
    const { redis, trail } = setup();
    const s = shipper(redis, `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`);
    s.start();
    await appendMany(trail, 0, 20);
    expect(await trail.appendedCount()).toBe(20);
    expect((await s.backlog()).events).toBe(20);
  });
});
