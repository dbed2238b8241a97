// The one date formatter: every date shown in Slack renders in each reader's own time
// zone, with a UTC fallback for clients that cannot render it (and for bad numbers).
import { escapeMrkdwn } from "./mrkdwn.js";

/**
 * A date Slack renders in each reader's own time zone, e.g. "Jan 5, 2027 11:59 PM".
 * `fallbackText` is what clients that cannot render it show (and what a bad number shows).
 */
export function slackDate(epochSeconds: number, fallbackText: string): string {
  const fallback = escapeMrkdwn(fallbackText).replace(/\|/g, "¦");
  // Slack cannot render a negative or non-finite date token; show the fallback instead.
  if (!Number.isFinite(epochSeconds) || epochSeconds < 0) return fallback;
  return `<!date^${Math.floor(epochSeconds)}^{date_short_pretty} {time}|${fallback}>`;
}

/**
 * The model stores milliseconds (Date.now()); accept seconds too, since 1e11 seconds is
 * year 5138 and 1e11 milliseconds is 1973, a number cannot be both.
 */
export const epochSeconds = (t: number): number =>
  Math.abs(t) > 1e11 ? Math.floor(t / 1000) : Math.floor(t);

export const when = (t: number): string => {
  const s = epochSeconds(t);
  return slackDate(s, isoFallback(s));
};

export function isoFallback(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime())
    ? "unknown time"
    : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** An ISO expiration as a Slack date; anything else is shown escaped, as stored. */
export function expiry(iso: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) return escapeMrkdwn(iso, 100);
  const seconds = Math.floor(ms / 1000);
  return slackDate(seconds, isoFallback(seconds));
}

/** Fallback precision: the client list shows days, reminders the exact second (UTC). */
export type FallbackPrecision = "day" | "second";

/** An epoch-seconds date with a fallback of the given precision. */
export function dateAt(epochSeconds: number, precision: FallbackPrecision): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  return slackDate(
    epochSeconds,
    precision === "day" ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, "Z"),
  );
}
