// Checks for the two form panes, done inside the 3 s ack so errors show inline.
// Pure and total: any input, however malformed, gives a result and never an exception.
// Messages are short, plain text (Slack shows them under the field) and say how to fix it.
import type { ClientDetails, SecretDetails } from "./model.js";
import { bidiError, hasBidiControl } from "./text-direction.js";

export { hasBidiControl };

export const MAX_URLS = 10;
export const MIN_TOKEN_LIFETIME = 60;
export const MAX_TOKEN_LIFETIME = 3600;
/**
 * ADH documents no maximum for a client name that we could rely on. 200 is generous for a
 * name people read in a list, keeps the approval message and the confirm dialog readable,
 * and catches pastes of whole paragraphs into the wrong field.
 */
export const MAX_NAME_LENGTH = 200;
export const MAX_REASON_LENGTH = 2000;
export const MAX_DESCRIPTION_LENGTH = 200;

export type ClientFormField =
  | "name"
  | "redirectUris"
  | "logoutRedirectUris"
  | "tokenLifetime"
  | "reason"
  | "reminderChannel";

export interface RawClientForm {
  name?: string | null;
  allowRefreshToken?: boolean;
  redirectUris?: string | null;
  logoutRedirectUris?: string | null;
  tokenLifetime?: string | number | null;
  reminderChannel?: string | null;
  reason?: string | null;
}

export type ValidClientForm = ClientDetails & { reminderChannel: string; reason: string };

export type ClientFormResult =
  | { ok: true; value: ValidClientForm }
  | { ok: false; errors: Partial<Record<ClientFormField, string>> };

export type SecretFormField = "description" | "expirationDate";

export interface RawSecretForm {
  description?: string | null;
  /** YYYY-MM-DD, as the datepicker sends it. */
  expirationDate?: string | null;
  neverExpires?: boolean;
}

export type SecretFormResult =
  | { ok: true; value: SecretDetails }
  | { ok: false; errors: Partial<Record<SecretFormField, string>> };

type Check<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * `reminderChannel: false` is for forms without a Reminder channel (Edit Client): the
 * field is neither read nor required there.
 */
export function validateClientForm(
  raw: RawClientForm,
  fields: { reminderChannel?: boolean } = {},
): ClientFormResult {
  const form: RawClientForm = isRecord(raw) ? raw : {};
  const errors: Partial<Record<ClientFormField, string>> = {};
  const take = <T>(field: ClientFormField, check: Check<T>, fallback: T): T => {
    if (check.ok) return check.value;
    errors[field] = check.error;
    return fallback;
  };

  const name = take("name", checkName(form.name), "");
  const redirectUris = take("redirectUris", checkUrlList(form.redirectUris, true), []);
  const postLogoutRedirectUris = take(
    "logoutRedirectUris",
    checkUrlList(form.logoutRedirectUris, false),
    [],
  );
  const accessTokenLifetime = take(
    "tokenLifetime",
    checkTokenLifetime(form.tokenLifetime),
    MAX_TOKEN_LIFETIME,
  );
  const reminderChannel =
    fields.reminderChannel === false
      ? ""
      : take("reminderChannel", checkReminderChannel(form.reminderChannel), "");
  const reason = take("reason", checkLength(form.reason, MAX_REASON_LENGTH, "Reason"), "");
  const labels: [ClientFormField, unknown, string][] = [
    ["name", form.name, "Name"],
    ["redirectUris", form.redirectUris, "Allowed Redirect URL(s)"],
    ["logoutRedirectUris", form.logoutRedirectUris, "Allowed Logout Redirect URL(s)"],
    ["reason", form.reason, "Reason"],
  ];
  for (const [field, value, label] of labels) {
    if (hasBidiControl(value)) errors[field] = bidiError(label);
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      allowOfflineAccess: form.allowRefreshToken === true,
      redirectUris,
      postLogoutRedirectUris,
      accessTokenLifetime,
      reminderChannel,
      reason,
    },
  };
}

export function validateSecretForm(raw: RawSecretForm, now: Date): SecretFormResult {
  const form: RawSecretForm = isRecord(raw) ? raw : {};
  const errors: Partial<Record<SecretFormField, string>> = {};

  const description = checkLength(form.description, MAX_DESCRIPTION_LENGTH, "Description");
  if (!description.ok) errors.description = description.error;
  if (hasBidiControl(form.description)) errors.description = bidiError("Description");
  // Never Expires wins over whatever the datepicker still holds (it defaults to a date).
  const expiration: Check<string | null> =
    form.neverExpires === true
      ? { ok: true, value: null }
      : checkExpiration(form.expirationDate, now);
  if (!expiration.ok) errors.expirationDate = expiration.error;

  if (!description.ok || !expiration.ok || errors.description) return { ok: false, errors };
  return { ok: true, value: { description: description.value, expiration: expiration.value } };
}

// ---------------------------------------------------------------------------------------

function checkName(raw: unknown): Check<string> {
  const name = text(raw).trim();
  if (name === "") return { ok: false, error: "Enter a name for the client" };
  if (name.length > MAX_NAME_LENGTH)
    return {
      ok: false,
      error: `Name is ${name.length} characters; shorten it to ${MAX_NAME_LENGTH} or fewer`,
    };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name))
    return { ok: false, error: "Name cannot contain line breaks or control characters" };
  return { ok: true, value: name };
}

function checkTokenLifetime(raw: unknown): Check<number> {
  const fix = `Token Lifetime must be a whole number of seconds, ${MIN_TOKEN_LIFETIME} to ${MAX_TOKEN_LIFETIME}`;
  let seconds: number;
  if (typeof raw === "number") {
    if (!Number.isInteger(raw)) return { ok: false, error: fix };
    seconds = raw;
  } else {
    const entered = text(raw).trim();
    if (entered === "") return { ok: true, value: MAX_TOKEN_LIFETIME };
    if (!/^[+-]?\d+$/.test(entered)) return { ok: false, error: fix };
    seconds = Number(entered);
  }
  if (seconds < MIN_TOKEN_LIFETIME || seconds > MAX_TOKEN_LIFETIME)
    return { ok: false, error: `${fix}; you entered ${clip(String(seconds))}` };
  return { ok: true, value: seconds };
}

/** Schemes that would run or read something instead of returning to an application. */
const UNSAFE_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "about:", "blob:"]);

/**
 * One URL per line; blank lines are ignored. Exact duplicates are dropped silently: ADH
 * matches redirect URLs exactly, so a second copy adds nothing, and dropping it is what
 * the user meant. URLs are kept as typed (trimmed), not normalised: `new URL()` would add
 * a trailing slash to `https://host`, and the exact match would then fail at sign-in.
 */
function checkUrlList(raw: unknown, required: boolean): Check<string[]> {
  const lines = text(raw)
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const urls = [...new Set(lines)];
  if (urls.length === 0)
    return required
      ? { ok: false, error: "Add at least one URL, e.g. https://app.example.com/callback" }
      : { ok: true, value: [] };
  if (urls.length > MAX_URLS)
    return {
      ok: false,
      error: `At most ${MAX_URLS} URLs; you entered ${urls.length}. Remove ${urls.length - MAX_URLS}`,
    };
  for (const url of urls) {
    const error = urlError(url);
    if (error !== undefined) return { ok: false, error };
  }
  return { ok: true, value: urls };
}

/** Why `url` cannot be an OAuth redirect URL, or undefined when it can. */
function urlError(url: string): string | undefined {
  const shown = clip(url);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(url))
    return `URL ${shown} contains a space or control character; put one URL per line`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${shown} is not an absolute URL; write it in full, e.g. https://app.example.com/callback`;
  }
  const scheme = parsed.protocol;
  // `localhost:3000/cb` parses as scheme "localhost:" — a missing "http://", not a custom scheme.
  if (/^\d+(\/|$)/.test(url.slice(scheme.length)))
    return `URL ${shown} has no scheme; write it in full, e.g. http://${clip(url, 40)}`;
  if (UNSAFE_SCHEMES.has(scheme))
    return `URL ${shown} uses ${scheme}, which cannot be a redirect target; use https://`;
  if ((scheme === "http:" || scheme === "https:") && parsed.hostname === "")
    return `URL ${shown} has no host; write it in full, e.g. https://app.example.com/callback`;
  const hash = url.indexOf("#");
  if (hash !== -1)
    return `URL ${shown} has a fragment (${clip(url.slice(hash), 40)}); OAuth redirect URLs cannot have one`;
  return undefined;
}

function checkReminderChannel(raw: unknown): Check<string> {
  const channel = text(raw).trim();
  if (channel === "") return { ok: false, error: "Pick a channel for expiry reminders" };
  // A channel id (public C…, private G…), never a person, a DM or free text such as
  // `<!here>`: the picker offers only channels, but a payload can carry anything.
  if (!/^[CG][A-Z0-9]{2,30}$/.test(channel))
    return { ok: false, error: "Pick a channel for expiry reminders (not a person or a DM)" };
  return { ok: true, value: channel };
}

function checkLength(raw: unknown, max: number, label: string): Check<string> {
  const value = text(raw).trim();
  return value.length > max
    ? { ok: false, error: `${label} is ${value.length} characters; shorten it to ${max} or fewer` }
    : { ok: true, value };
}

/**
 * The secret is valid through the whole chosen day in UTC: expiration is that date at
 * 23:59:59Z. "Today" is the UTC date of `now`, and the date must be strictly after it,
 * so a secret never starts life expired or expiring within hours.
 */
function checkExpiration(raw: unknown, now: Date): Check<string> {
  const entered = text(raw).trim();
  if (entered === "") return { ok: false, error: "Pick an expiration date, or tick Never Expires" };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(entered);
  const day = match ? utcEndOfDay(Number(match[1]), Number(match[2]), Number(match[3])) : null;
  if (day === null) return { ok: false, error: "Expiration Date must be a date like 2030-01-31" };
  const today = isoDate(now);
  if (entered <= today)
    return {
      ok: false,
      error: `Expiration Date must be after today (${today}, UTC); pick a later date or tick Never Expires`,
    };
  return { ok: true, value: day };
}

/** ISO timestamp of 23:59:59Z on that calendar day, or null when no such day exists. */
function utcEndOfDay(year: number, month: number, day: number): string | null {
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(23, 59, 59, 0);
  const real =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  return real ? d.toISOString() : null;
}

/** YYYY-MM-DD of `now` in UTC; if `now` is invalid, a string no date sorts after (so none passes). */
function isoDate(now: Date): string {
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  return Number.isNaN(t) ? "9999-99-99" : new Date(t).toISOString().slice(0, 10);
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
/** Quotes of user input in messages stay short (and never end in half a surrogate pair). */
const clip = (s: string, max = 80): string =>
  s.length > max ? `${s.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, "")}…` : s;

/** Pane 2's suggested Expiration Date: one year after `now` (UTC), as YYYY-MM-DD. */
export function defaultExpirationDate(now: Date): string {
  const d = new Date(now.getTime());
  if (Number.isNaN(d.getTime())) return "";
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}
