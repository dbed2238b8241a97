// Tenant policy over what a request may ask for: how long a secret may live, whether it
// may never expire, and where redirect URLs may point. Pure: the form (inline, within the
// ack) and the apply step call the same functions and get codes, never sentences — the
// Slack layer words them.

import { type NeverExpiresRule, normalizeHostSuffix } from "../policy-settings.js";
import { type HybridClientRequest, KIND, type RequestError } from "./model.js";

export { type NeverExpiresRule, normalizeHostSuffix };

export interface Policy {
  /** A secret may expire at most this many days from now; undefined: no limit. */
  maxSecretDays: number | undefined;
  neverExpires: NeverExpiresRule;
  /** Host suffixes in ASCII (punycode) form; empty: any host. */
  allowedRedirectHosts: string[];
  requireHttpsRedirects: boolean;
}

/** The portal's behaviour: nothing refused, nothing extra. */
export const PORTAL_POLICY: Policy = {
  maxSecretDays: undefined,
  neverExpires: "allow",
  allowedRedirectHosts: [],
  requireHttpsRedirects: false,
};

export type SecretExpiry = { never: true } | { never?: false; expiresAt: Date };

export type SecretPolicyCode = "expiry-beyond-max-days" | "never-expires-denied";

export type SecretPolicyResult =
  | { ok: true; extraApproval: boolean }
  | { ok: false; code: SecretPolicyCode; maxDays?: number };

const DAY_MS = 86_400_000;

/**
 * A date-only expiry (the datepicker's YYYY-MM-DD) counts as the end of that day in UTC,
 * so `MAX_SECRET_DAYS=90` allows the date 90 days from today whatever the time of day.
 */
export function checkSecretPolicy(
  expiry: SecretExpiry,
  policy: Policy,
  now: Date,
): SecretPolicyResult {
  if (expiry.never) {
    if (policy.neverExpires === "deny") return { ok: false, code: "never-expires-denied" };
    return { ok: true, extraApproval: policy.neverExpires === "extra-approval" };
  }
  if (policy.maxSecretDays !== undefined) {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const lastAllowed = today + (policy.maxSecretDays + 1) * DAY_MS;
    if (expiry.expiresAt.getTime() >= lastAllowed) {
      return { ok: false, code: "expiry-beyond-max-days", maxDays: policy.maxSecretDays };
    }
  }
  return { ok: true, extraApproval: false };
}

/** Parses the form's `expiration` (YYYY-MM-DD or ISO; null = never) into a SecretExpiry. */
export function secretExpiryOf(expiration: string | null): SecretExpiry {
  if (expiration === null) return { never: true };
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(expiration);
  return { expiresAt: new Date(dateOnly ? `${expiration}T00:00:00Z` : expiration) };
}

/** Distinct approvals a request needs: one more for a never-expiring secret under `extra-approval`. */
export function approvalsNeeded(
  baseRequired: number,
  policy: Policy,
  neverExpires: boolean,
): number {
  return neverExpires && policy.neverExpires === "extra-approval" ? baseRequired + 1 : baseRequired;
}

/**
 * The apply step's second look: a request that no longer passes the policy (it tightened
 * after the form) fails with code `policy-refused`; `message` holds the policy codes
 * (`expiry-beyond-max-days`, `host-not-allowed https://…`), which the Slack layer words.
 */
export function policyFailure(
  r: HybridClientRequest,
  policy: Policy,
  now: Date,
): Omit<RequestError, "at"> | undefined {
  const problems: string[] = [];
  const secret = checkSecretPolicy(secretExpiryOf(r.secret.expiration), policy, now);
  if (!secret.ok) problems.push(secret.code);
  if (r.kind === KIND.newClient) {
    for (const refusal of checkRedirectPolicy(
      [...r.client.redirectUris, ...r.client.postLogoutRedirectUris],
      policy,
    )) {
      problems.push(`${refusal.code} ${refusal.url}`);
    }
  }
  return problems.length > 0 ? { code: "policy-refused", message: problems.join("; ") } : undefined;
}

export type RedirectPolicyCode =
  | "not-a-url"
  | "not-https"
  | "host-not-allowed"
  | "custom-scheme-not-allowed";

export interface RedirectRefusal {
  /** Index into the list checked, so the form can point at the line. */
  index: number;
  url: string;
  code: RedirectPolicyCode;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Checks redirect (or logout redirect) URLs against the policy. Hosts are compared in
 * their ASCII form as `new URL` gives it (IDN → punycode, lower case, trailing dot kept
 * out), so `bücher.example` and `xn--bcher-kva.example` are the same host.
 *
 * Custom schemes (`myapp://cb`, `com.example.app:/cb`) have no web host: with no host
 * list and no https rule they pass (the portal allows them); under either rule they are
 * refused, because any app on a device can claim a private scheme, which defeats pinning
 * where authorization codes go.
 */
export function checkRedirectPolicy(urls: readonly string[], policy: Policy): RedirectRefusal[] {
  const refusals: RedirectRefusal[] = [];
  urls.forEach((url, index) => {
    const code = redirectCode(url, policy);
    if (code) refusals.push({ index, url, code });
  });
  return refusals;
}

function redirectCode(raw: string, policy: Policy): RedirectPolicyCode | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return "not-a-url";
  }
  const web = url.protocol === "https:" || url.protocol === "http:";
  const pinned = policy.requireHttpsRedirects || policy.allowedRedirectHosts.length > 0;
  if (!web) return pinned ? "custom-scheme-not-allowed" : undefined;
  const host = url.hostname.replace(/\.$/, "");
  if (policy.requireHttpsRedirects && url.protocol === "http:" && !LOOPBACK_HOSTS.has(host)) {
    return "not-https";
  }
  if (
    policy.allowedRedirectHosts.length > 0 &&
    !policy.allowedRedirectHosts.some((suffix) => hostMatches(host, suffix))
  ) {
    return "host-not-allowed";
  }
  return undefined;
}

/** `example.com` matches `example.com` and `app.example.com`, never `badexample.com`. */
export function hostMatches(host: string, suffix: string): boolean {
  return host === suffix || host.endsWith(`.${suffix}`);
}
