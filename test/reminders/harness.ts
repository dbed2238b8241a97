// Shared pieces of the reminders suites: a notifier that records (and can fail on
// demand), a movable clock, and a ReminderService wired to a fake ADH and real Redis.
import type { Redis } from "ioredis";
import { AdhClient } from "../../src/adh/client.js";
import { createLogger } from "../../src/log.js";
import type {
  DueReminder,
  NeverExpiresFinding,
  ReminderNotifier,
} from "../../src/reminders/ports.js";
import { ReminderService, type ReminderServiceOptions } from "../../src/reminders/service.js";
import type { FakeAdh } from "../fakes/adh.js";

export const logger = createLogger({ level: "silent" });
export const REMINDER_CHANNEL = "CREMIND01";
export const THRESHOLDS = [30, 14, 7, 1, 0];
export const DAY_MS = 86_400_000;

export class RecordingNotifier implements ReminderNotifier {
  readonly reminders: { channel: string; reminder: DueReminder }[] = [];
  readonly findings: { channel: string; finding: NeverExpiresFinding }[] = [];
  /** The next this-many posts throw, as Slack's channel_not_found would. */
  failNext = 0;
  /** Each post waits this long first (lets concurrent scans overlap). */
  delayMs = 0;

  async postReminder(channel: string, reminder: DueReminder): Promise<void> {
    await this.maybeFail();
    this.reminders.push({ channel, reminder });
  }

  async postNeverExpiresFinding(channel: string, finding: NeverExpiresFinding): Promise<void> {
    await this.maybeFail();
    this.findings.push({ channel, finding });
  }

  /** Reminder thresholds per client id, in the order they were posted. */
  thresholdsOf(clientId: string): number[] {
    return this.reminders
      .filter((r) => r.reminder.clientId === clientId)
      .map((r) => r.reminder.threshold);
  }

  get total(): number {
    return this.reminders.length + this.findings.length;
  }

  private async maybeFail(): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("An API error occurred: channel_not_found");
    }
  }
}

/** A clock the test moves; starts at the real time so ADH's date checks agree. */
export class Clock {
  ms = Date.now();
  readonly now = () => this.ms;
  advanceDays(days: number): void {
    this.ms += days * DAY_MS;
  }
  /** ISO date-time `days` from now. */
  inDays(days: number): string {
    return new Date(this.ms + days * DAY_MS).toISOString();
  }
}

export function adhClientFor(fake: FakeAdh): AdhClient {
  return new AdhClient({
    baseUrl: fake.url,
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
}

export function reminderService(
  o: Partial<ReminderServiceOptions> &
    Pick<ReminderServiceOptions, "redis" | "notifier"> & { clock: Clock },
): ReminderService {
  return new ReminderService({
    logger,
    thresholds: THRESHOLDS,
    reminderChannel: REMINDER_CHANNEL,
    intervalSeconds: 900,
    syncIntervalSeconds: 21_600,
    now: o.clock.now,
    ...o,
  });
}

export type { Redis };
