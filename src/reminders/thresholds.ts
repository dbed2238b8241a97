// When is a secret due for a reminder? Pure arithmetic on epoch seconds, shared by the
// scan (what to send now) and the store (when to look next). Thresholds are whole days
// before expiry, kept in descending order (30, 14, 7, 1, 0).

export const DAY_SECONDS = 86_400;

/** Unique, non-negative whole days, largest first — the order reminders are sent in. */
export function normaliseThresholds(days: readonly number[]): number[] {
  const clean = days.filter((d) => Number.isInteger(d) && d >= 0);
  if (clean.length === 0)
    throw new Error("at least one reminder threshold (whole days ≥ 0) is needed");
  return [...new Set(clean)].sort((a, b) => b - a);
}

/** Fractional days from `now` until `expiration`; negative once expired. */
export function daysLeft(expiration: number, now: number): number {
  return (expiration - now) / DAY_SECONDS;
}

/** Thresholds still ahead of `last` (all of them when nothing was reminded yet). */
function remaining(thresholds: readonly number[], last: number | undefined): number[] {
  return last === undefined ? [...thresholds] : thresholds.filter((t) => t < last);
}

/**
 * The one threshold to remind now, or undefined. Threshold t is reached when
 * daysLeft ≤ t (an expired secret has reached every threshold, so 0 means "expired").
 * When several were reached since the last look (first sync, downtime) only the nearest
 * — the smallest — is returned: one reminder with the current news, no burst of stale
 * ones; the store marks the skipped ones done with it.
 */
export function dueThreshold(input: {
  expiration: number;
  now: number;
  thresholds: readonly number[];
  last: number | undefined;
}): number | undefined {
  const left = daysLeft(input.expiration, input.now);
  const reached = remaining(input.thresholds, input.last).filter((t) => left <= t);
  return reached.length === 0 ? undefined : Math.min(...reached);
}

/** The largest threshold below `last` (the next one to be reached), or undefined when done. */
export function nextThreshold(
  thresholds: readonly number[],
  last: number | undefined,
): number | undefined {
  const ahead = remaining(thresholds, last);
  return ahead.length === 0 ? undefined : Math.max(...ahead);
}

/** Epoch second at which the next not-yet-reminded threshold is reached; undefined when done. */
export function nextDueAt(
  expiration: number,
  thresholds: readonly number[],
  last: number | undefined,
): number | undefined {
  const next = nextThreshold(thresholds, last);
  return next === undefined ? undefined : expiration - next * DAY_SECONDS;
}

/** Words for the time left, as a reminder shows them. */
export function describeTimeLeft(expiration: number, now: number): string {
  const left = daysLeft(expiration, now);
  if (left <= 0) return "expired";
  if (left < 1) return "expires today";
  // Rounded up: the 7-day reminder fires just under 7 days and should say 7, not 6.
  const days = Math.ceil(left);
  return days === 1 ? "1 day left" : `${days} days left`;
}

/**
 * An ADH secret's expiry as epoch seconds; null when it never expires. ADH omits null
 * properties, and writes UTC date-times; one without a zone is read as UTC, not local.
 */
export function expirationSeconds(secret: {
  Expiration?: string | null;
  Expires?: boolean;
}): number | null {
  if (secret.Expires === false || !secret.Expiration) return null;
  const iso = secret.Expiration;
  // Date-only strings already parse as UTC.
  const zoned = !iso.includes("T") || /(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new Error(`not an ISO 8601 date-time: ${JSON.stringify(iso)}`);
  return Math.floor(ms / 1000);
}
