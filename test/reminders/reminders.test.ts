// The reminders engine against the fake ADH (real HTTP) and a real Redis: what each team
// channel receives, and that nothing is sent twice across scans, restarts and replicas.
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AdhClient } from "../../src/adh/client.js";
import type { ReminderService } from "../../src/reminders/service.js";
import { TenantSyncError } from "../../src/reminders/tenant-sync.js";
import { type FakeAdh, startFakeAdh } from "../fakes/adh.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";
import {
  adhClientFor,
  Clock,
  REMINDER_CHANNEL,
  RecordingNotifier,
  reminderService,
} from "./harness.js";

let fake: FakeAdh;
let adh: AdhClient;
let prefix: string;
let clock: Clock;
const connections: Redis[] = [];
const services: ReminderService[] = [];

beforeEach(async () => {
  fake = await startFakeAdh();
  adh = adhClientFor(fake);
  prefix = testPrefix("reminders");
  clock = new Clock();
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  for (const r of connections.splice(0)) r.disconnect();
  await adh.close();
  await fake.close();
  await deletePrefix(prefix);
});

/** A replica: its own Redis connection, same key prefix, same ADH. */
function replica(notifier: RecordingNotifier, opts: { useScanLock?: boolean } = {}) {
  const redis = testRedis(prefix);
  connections.push(redis);
  const service = reminderService({ redis, notifier, clock, source: adh, ...opts });
  services.push(service);
  return service;
}

function seedTheFive() {
  return {
    halfDay: fake.addClient({ Name: "Half day" }, [
      { description: "soon", expiration: clock.inDays(0.5) },
    ]),
    week: fake.addClient({ Name: "A week" }, [
      { description: "weekly", expiration: clock.inDays(6.5) },
    ]),
    month: fake.addClient({ Name: "A month" }, [
      { description: "monthly", expiration: clock.inDays(29.5) },
    ]),
    later: fake.addClient({ Name: "Later" }, [
      { description: "later", expiration: clock.inDays(45) },
    ]),
    never: fake.addClient({ Name: "Forever" }, [{ description: "eternal", expiration: null }]),
  };
}

describe("expiry reminders", () => {
  it("sends one reminder each at 0.5, 6.5 and 29.5 days, none at 45, one never-expires finding; scans, restarts and replicas add none", async () => {
    const seeded = seedTheFive();
    const notifier = new RecordingNotifier();
    const first = replica(notifier);

    expect(await first.syncTenant()).toMatchObject({ clients: 5, secrets: 5, calls: 6, ran: true });
    expect(await first.scanDue()).toEqual({ sent: 4 });

    // The nearest threshold each secret has reached: 1 day, 7 days, 30 days.
    expect(notifier.thresholdsOf(seeded.halfDay.id)).toEqual([1]);
    expect(notifier.thresholdsOf(seeded.week.id)).toEqual([7]);
    expect(notifier.thresholdsOf(seeded.month.id)).toEqual([30]);
    expect(notifier.thresholdsOf(seeded.later.id)).toEqual([]);
    expect(notifier.findings.map((f) => f.finding.clientId)).toEqual([seeded.never.id]);
    expect(notifier.reminders.every((r) => r.channel === REMINDER_CHANNEL)).toBe(true);
    const week = notifier.reminders.find((r) => r.reminder.clientId === seeded.week.id)?.reminder;
    expect(week).toMatchObject({
      clientName: "A week",
      secretId: 1,
      description: "weekly",
      source: "tenant",
    });

    // A second scan.
    expect(await first.scanDue()).toEqual({ sent: 0 });
    // A restart: a new instance on a new connection, which syncs again first.
    await first.stop();
    const restarted = replica(notifier);
    await restarted.syncTenant();
    expect(await restarted.scanDue()).toEqual({ sent: 0 });
    // Two replicas scanning at the same moment, lock or no lock.
    const [a, b] = [replica(notifier, { useScanLock: false }), replica(notifier)];
    const results = await Promise.all([a.scanDue(), b.scanDue(), restarted.scanDue()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(0);
    expect(notifier.total).toBe(4);
  });

  it("two replicas racing over the same due reminders post each one once (the claim, not the lock, decides)", async () => {
    const ids = Array.from(
      { length: 30 },
      (_, i) =>
        fake.addClient({ Name: `Client ${i}` }, [
          { description: "a", expiration: clock.inDays(3 + i / 10) },
          { description: "b", expiration: i % 5 === 0 ? null : clock.inDays(20) },
        ]).id,
    );
    const notifier = new RecordingNotifier();
    notifier.delayMs = 1; // let the two scans interleave between claim and commit
    const a = replica(notifier, { useScanLock: false });
    const b = replica(notifier, { useScanLock: false });
    await a.syncTenant();
    const [ra, rb] = await Promise.all([a.scanDue(), b.scanDue()]);

    expect(ra.sent + rb.sent).toBe(60);
    expect(ra.sent).toBeGreaterThan(0); // both really took part
    expect(rb.sent).toBeGreaterThan(0);
    const keys = [
      ...notifier.reminders.map(
        (r) => `${r.reminder.clientId}/${r.reminder.secretId}/${r.reminder.threshold}`,
      ),
      ...notifier.findings.map((f) => `${f.finding.clientId}/${f.finding.secretId}/finding`),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(notifier.reminders.map((r) => r.reminder.clientId))).toEqual(new Set(ids));
  });

  it("a secret moving from the 7-day to the 1-day threshold gets its second reminder, then the expired one", async () => {
    const { id } = fake.addClient({ Name: "Mover" }, [
      { description: "x", expiration: clock.inDays(6.5) },
    ]);
    const notifier = new RecordingNotifier();
    const service = replica(notifier);
    await service.syncTenant();
    await service.scanDue();
    expect(notifier.thresholdsOf(id)).toEqual([7]);

    clock.advanceDays(4); // 2.5 days left: nothing new
    expect(await service.scanDue()).toEqual({ sent: 0 });
    clock.advanceDays(1.6); // 0.9 days left
    expect(await service.scanDue()).toEqual({ sent: 1 });
    expect(notifier.thresholdsOf(id)).toEqual([7, 1]);
    clock.advanceDays(1); // expired
    expect(await service.scanDue()).toEqual({ sent: 1 });
    expect(notifier.thresholdsOf(id)).toEqual([7, 1, 0]);
    expect(notifier.reminders.at(-1)?.reminder.daysLeft).toBeLessThan(0);
    clock.advanceDays(30);
    expect(await service.scanDue()).toEqual({ sent: 0 });
  });

  it("a failed post is released and the next scan sends it, once", async () => {
    const { id } = fake.addClient({ Name: "Flaky channel" }, [
      { description: "x", expiration: clock.inDays(6.5) },
    ]);
    const notifier = new RecordingNotifier();
    const service = replica(notifier);
    await service.syncTenant();

    notifier.failNext = 1;
    expect(await service.scanDue()).toEqual({ sent: 0 });
    expect(notifier.total).toBe(0);
    expect(await service.scanDue()).toEqual({ sent: 1 });
    expect(await service.scanDue()).toEqual({ sent: 0 });
    expect(notifier.thresholdsOf(id)).toEqual([7]);
  });

  it("a crash between claim and commit is retried once its lease runs out", async () => {
    const { id } = fake.addClient({ Name: "Crash" }, [
      { description: "x", expiration: clock.inDays(6.5) },
    ]);
    const notifier = new RecordingNotifier();
    const service = replica(notifier);
    await service.syncTenant();
    // A replica claims and dies before posting (or before committing).
    const ref = { clientId: id, secretId: 1 };
    const secret = await service.tracked.get(ref);
    const claimed = await service.tracked.claim(ref, 7, secret!.expiration, clock.ms / 1000, 300);
    expect(claimed.ok).toBe(true);

    expect(await service.scanDue()).toEqual({ sent: 0 }); // lease still running
    clock.ms += 301_000;
    expect(await service.scanDue()).toEqual({ sent: 1 });
    expect(await service.scanDue()).toEqual({ sent: 0 });
  });

  it("a bot-minted secret is reminded in its team's channel even after the tenant sync finds it", async () => {
    const { id, secretIds } = fake.addClient({ Name: "Made by the bot" }, [
      { description: "from Slack", expiration: clock.inDays(13) },
    ]);
    const notifier = new RecordingNotifier();
    const service = replica(notifier);
    await service.trackMintedSecret({
      clientId: id,
      clientName: "Made by the bot",
      secretId: secretIds[0]!,
      description: "from Slack",
      expiration: clock.inDays(13),
      channel: "CTEAM0001",
    });
    await service.syncTenant();
    await service.scanDue();
    expect(notifier.reminders).toHaveLength(1);
    expect(notifier.reminders[0]).toMatchObject({
      channel: "CTEAM0001",
      reminder: { threshold: 14, source: "bot" },
    });
  });

  it("without REMINDER_CHANNEL, a minted secret deleted in ADH is untracked instead of reminded; a changed expiry restarts its schedule", async () => {
    const rotated = fake.addClient({ Name: "Rotated" }, [
      { description: "old", expiration: clock.inDays(5) },
      { description: "new", expiration: clock.inDays(365) },
    ]);
    const extended = fake.addClient({ Name: "Extended" }, [
      { description: "x", expiration: clock.inDays(200) },
    ]);
    const notifier = new RecordingNotifier();
    const redis = testRedis(prefix);
    connections.push(redis);
    const service = reminderService({
      redis,
      notifier,
      clock,
      source: adh,
      reminderChannel: undefined,
    });
    services.push(service);
    const mint = (clientId: string, secretId: number, days: number) =>
      service.trackMintedSecret({
        clientId,
        clientName: "n",
        secretId,
        description: "d",
        expiration: clock.inDays(days),
        channel: "CTEAM0001",
      });
    await mint(rotated.id, rotated.secretIds[0]!, 5);
    await mint(rotated.id, rotated.secretIds[1]!, 365);
    await mint(extended.id, extended.secretIds[0]!, 6); // ADH now says 200 days
    await adh.deleteSecret(rotated.id, rotated.secretIds[0]!); // the team deleted the old one

    expect(await service.scanDue()).toEqual({ sent: 0 });
    expect(
      await service.tracked.get({ clientId: rotated.id, secretId: rotated.secretIds[0]! }),
    ).toBeNull();
    const moved = await service.tracked.get({ clientId: extended.id, secretId: 1 });
    expect(moved?.expiration).toBe(Math.floor(Date.parse(clock.inDays(200)) / 1000));
    expect(await service.tracked.dueAt({ clientId: extended.id, secretId: 1 })).toBe(
      moved!.expiration! - 30 * 86_400,
    );
  });

  it("a sync against a failing ADH keeps the tracked data; a later good sync untracks deleted clients and secrets", async () => {
    const keep = fake.addClient({ Name: "Keep" }, [
      { description: "one", expiration: clock.inDays(100) },
      { description: "two", expiration: clock.inDays(200) },
    ]);
    const gone = fake.addClient({ Name: "Gone" }, [
      { description: "x", expiration: clock.inDays(100) },
    ]);
    const others = Array.from(
      { length: 5 },
      (_, i) =>
        fake.addClient({ Name: `Other ${i}` }, [{ description: "y", expiration: clock.inDays(90) }])
          .id,
    );
    const notifier = new RecordingNotifier();
    const service = replica(notifier);
    await service.syncTenant();
    const before = await service.tracked.listTracked();
    expect(before).toHaveLength(8);

    await adh.deleteHybridClient(gone.id);
    await adh.deleteSecret(keep.id, keep.secretIds[1]!);

    // Every secrets call fails (after the ADH client's own retries): nothing is untracked.
    fake.inject("GET /HybridClients/:id/Secrets", { status: 500, times: 1_000 });
    await expect(service.syncTenant()).rejects.toBeInstanceOf(TenantSyncError);
    expect(await service.tracked.listTracked()).toHaveLength(8);
    // The client listing itself failing: same.
    fake.clearFaults();
    fake.inject("GET /HybridClients", { status: 503, times: 1_000 });
    await expect(service.syncTenant()).rejects.toThrow(/did not complete.*kept/);
    expect(await service.tracked.listTracked()).toHaveLength(8);
    // A partial failure: one client's secrets keep failing, every other call succeeds.
    fake.clearFaults();
    const partial = reminderService({
      redis: connections[0]!,
      notifier,
      clock,
      source: {
        listHybridClientsPage: (skip, count) => adh.listHybridClientsPage(skip, count),
        listSecrets: (clientId) =>
          clientId === others[3]
            ? Promise.reject(Object.assign(new Error("ADH answered 500"), { status: 500 }))
            : adh.listSecrets(clientId),
      },
    });
    await expect(partial.syncTenant()).rejects.toBeInstanceOf(TenantSyncError);
    expect(await service.tracked.listTracked()).toHaveLength(8);

    fake.clearFaults();
    const result = await service.syncTenant();
    expect(result).toMatchObject({ clients: 6, secrets: 6, untracked: 2, ran: true });
    const after = await service.tracked.listTracked();
    expect(after.map((s) => `${s.clientId}/${s.secretId}`).sort()).toEqual(
      [`${keep.id}/${keep.secretIds[0]}`, ...others.map((id) => `${id}/1`)].sort(),
    );
    expect(await service.tracked.dueAt({ clientId: gone.id, secretId: 1 })).toBeNull();
  });

  it("a second replica does not sync while the first one is syncing", async () => {
    for (let i = 0; i < 40; i++) {
      fake.addClient({ Name: `C${i}` }, [{ description: "x", expiration: clock.inDays(60) }]);
    }
    fake.setLatency(5);
    const notifier = new RecordingNotifier();
    const [a, b] = [replica(notifier), replica(notifier)];
    const [ra, rb] = await Promise.all([a.syncTenant(), b.syncTenant()]);
    expect([ra.ran, rb.ran].sort()).toEqual([false, true]);
    expect(ra.clients + rb.clients).toBe(40);
  });

  it("falls back to ADH's default page size when it refuses 1000 per page", async () => {
    await adh.close();
    await fake.close();
    fake = await startFakeAdh({ pageMax: 500 });
    adh = adhClientFor(fake);
    for (let i = 0; i < 250; i++) {
      fake.addClient({ Name: `C${i}` }, [{ description: "x", expiration: clock.inDays(90) }]);
    }
    const result = await replica(new RecordingNotifier()).syncTenant();
    expect(result).toMatchObject({ clients: 250, secrets: 250, listingStable: true });
    expect(fake.callsTo("GET /HybridClients").map((c) => c.status)).toEqual([400, 200, 200, 200]);
  });

  it("start() scans and syncs on its own, and stop() waits for the run", async () => {
    const { id } = fake.addClient({ Name: "Timers" }, [
      { description: "x", expiration: clock.inDays(1) },
    ]);
    const notifier = new RecordingNotifier();
    const service = replica(notifier);
    service.start();
    // start(): first tick syncs (nothing synced yet), then scans what it found.
    await expect
      .poll(() => notifier.thresholdsOf(id), { timeout: 5_000, interval: 20 })
      .toEqual([1]);
    await service.stop();
  });
});
