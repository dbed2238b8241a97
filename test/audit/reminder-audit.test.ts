// reminder.sent: each reminder the service posts is recorded once in the audit trail, by
// the bot's timer ("system"), with the secret's id and never its value.
import { afterAll, describe, expect, it } from "vitest";
import { AuditTrail } from "../../src/store/audit-stream.js";
import { closeRedis } from "../../src/store/redis.js";
import { Clock, RecordingNotifier, reminderService } from "../reminders/harness.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const prefix = testPrefix("reminder-audit");
const redis = testRedis(prefix);

afterAll(async () => {
  await closeRedis(redis);
  await deletePrefix(prefix);
});

describe("reminder.sent", () => {
  it("is appended once per reminder posted; a re-run scan adds none", async () => {
    const clock = new Clock();
    const notifier = new RecordingNotifier();
    const trail = new AuditTrail(redis);
    const service = reminderService({
      redis,
      notifier,
      clock,
      reminderChannel: undefined,
      audit: trail,
    });
    const clientId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    await service.trackMintedSecret({
      clientId,
      clientName: "historian",
      secretId: 7,
      description: "sync",
      expiration: clock.inDays(0.5),
      channel: "CTEAM0001",
    });
    await service.scanDue();
    await service.scanDue();
    expect(notifier.reminders).toHaveLength(1);
    const events = (await trail.latest(10)).filter((e) => e.type === "reminder.sent");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: "system",
      clientId,
      details: {
        secretId: 7,
        threshold: String(notifier.reminders[0]?.reminder.threshold),
        channel: "CTEAM0001",
        source: "bot",
      },
    });
    expect(await trail.verify()).toMatchObject({ ok: true, checked: 1 });
    await service.stop();
  });
});
