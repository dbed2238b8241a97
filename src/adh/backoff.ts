// How long to wait before the next attempt: ADH's Retry-After when it gives one,
// otherwise exponential backoff with full jitter (spreads replicas apart).

export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter: uniform in [0, min(max, base·2^(attempt-1))]. `attempt` counts from 1. */
export function backoffDelayMs(
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfterMs(
  header: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The wait after attempt `attempt` failed: ADH's Retry-After when it gave one, else backoff. */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  settings: BackoffSettings,
): number {
  // After a Retry-After, a little jitter on top keeps replicas from returning in step.
  return retryAfterMs === undefined
    ? backoffDelayMs(attempt, settings)
    : retryAfterMs + Math.floor(Math.random() * settings.baseDelayMs);
}
