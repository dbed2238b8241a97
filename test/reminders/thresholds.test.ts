import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DAY_SECONDS,
  daysLeft,
  describeTimeLeft,
  dueThreshold,
  expirationSeconds,
  nextDueAt,
  normaliseThresholds,
} from "../../src/reminders/thresholds.js";

const T = [30, 14, 7, 1, 0];
const NOW = 1_800_000_000;
const at = (days: number) => NOW + Math.round(days * DAY_SECONDS);

describe("which threshold is due", () => {
  it("names the nearest reached threshold for the seeded secrets", () => {
    const due = (days: number) =>
      dueThreshold({ expiration: at(days), now: NOW, thresholds: T, last: undefined });
    expect(due(0.5)).toBe(1);
    expect(due(6.5)).toBe(7);
    expect(due(29.5)).toBe(30);
    expect(due(45)).toBeUndefined();
  });

  it("reaches a threshold at exactly that many days left, not a second before", () => {
    expect(dueThreshold({ expiration: at(7), now: NOW, thresholds: T, last: 14 })).toBe(7);
    expect(
      dueThreshold({ expiration: at(7) + 1, now: NOW, thresholds: T, last: 14 }),
    ).toBeUndefined();
  });

  it("treats an expired secret as threshold 0, once", () => {
    expect(dueThreshold({ expiration: at(-3), now: NOW, thresholds: T, last: undefined })).toBe(0);
    expect(dueThreshold({ expiration: at(-3), now: NOW, thresholds: T, last: 1 })).toBe(0);
    expect(dueThreshold({ expiration: at(-3), now: NOW, thresholds: T, last: 0 })).toBeUndefined();
  });

  it("sends one reminder for the nearest threshold after downtime, none for the skipped ones", () => {
    // Last reminded at 30; the bot was down until 3 days left: 14 and 7 were skipped.
    expect(dueThreshold({ expiration: at(3), now: NOW, thresholds: T, last: 30 })).toBe(7);
    // After that, 7 is the last one: next is 1, due when 1 day is left (2 days from now).
    expect(nextDueAt(at(3), T, 7)).toBe(at(3) - DAY_SECONDS);
  });

  it("never repeats or goes back up a threshold (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -40 * DAY_SECONDS, max: 400 * DAY_SECONDS }),
        fc.option(fc.constantFrom(...T), { nil: undefined }),
        (offset, last) => {
          const due = dueThreshold({ expiration: NOW + offset, now: NOW, thresholds: T, last });
          if (due === undefined) {
            const next = nextDueAt(NOW + offset, T, last);
            // Nothing due now means the next threshold is still ahead (or none is left).
            return next === undefined || next > NOW;
          }
          // Due now: below the last one, reached, and the next one after it is not yet reached.
          const next = nextDueAt(NOW + offset, T, due);
          return (
            (last === undefined || due < last) &&
            daysLeft(NOW + offset, NOW) <= due &&
            (next === undefined || next > NOW)
          );
        },
      ),
    );
  });
});

describe("thresholds and dates", () => {
  it("normalises REMINDER_DAYS to unique days, largest first", () => {
    expect(normaliseThresholds([1, 30, 7, 7, 0, 14])).toEqual([30, 14, 7, 1, 0]);
    expect(() => normaliseThresholds([])).toThrow(/threshold/);
  });

  it("words the time left as a reminder shows it", () => {
    expect(describeTimeLeft(at(6.5), NOW)).toBe("7 days left");
    expect(describeTimeLeft(at(1), NOW)).toBe("1 day left");
    expect(describeTimeLeft(at(0.5), NOW)).toBe("expires today");
    expect(describeTimeLeft(at(0), NOW)).toBe("expired");
    expect(describeTimeLeft(at(-2), NOW)).toBe("expired");
  });

  it("reads ADH expirations as UTC, and never-expiring ones as null", () => {
    expect(expirationSeconds({ Expiration: "2027-01-05T23:59:00Z", Expires: true })).toBe(
      Date.UTC(2027, 0, 5, 23, 59) / 1000,
    );
    expect(expirationSeconds({ Expiration: "2027-01-05T23:59:00", Expires: true })).toBe(
      Date.UTC(2027, 0, 5, 23, 59) / 1000,
    );
    expect(expirationSeconds({ Expiration: "2027-01-05T23:59:00+01:00" })).toBe(
      Date.UTC(2027, 0, 5, 22, 59) / 1000,
    );
    expect(expirationSeconds({ Expiration: null, Expires: false })).toBeNull();
    expect(expirationSeconds({ Expires: false })).toBeNull(); // null omitted by ADH
    expect(() => expirationSeconds({ Expiration: "soon", Expires: true })).toThrow(/ISO 8601/);
  });
});
