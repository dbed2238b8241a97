// The words for the tenant policy's refusals (src/requests/policy.ts returns codes): inline
// form errors within the ack. (A request the apply step refuses is worded with the other
// failures, in request-card/failures.ts.)
import type { ClientDetails, SecretDetails } from "../../requests/model.js";
import {
  checkRedirectPolicy,
  checkSecretPolicy,
  type Policy,
  type RedirectPolicyCode,
  type RedirectRefusal,
  type SecretPolicyCode,
  secretExpiryOf,
} from "../../requests/policy.js";
import { BLOCK } from "../ids.js";

/** Pane 1's policy errors keyed by block id, or null when the URLs pass. */
export function clientPolicyErrors(
  client: Pick<ClientDetails, "redirectUris" | "postLogoutRedirectUris">,
  policy: Policy,
): Record<string, string> | null {
  const errors: Record<string, string> = {};
  const redirects = checkRedirectPolicy(client.redirectUris, policy);
  if (redirects.length > 0) errors[BLOCK.redirectUris] = redirectPolicyText(redirects, policy);
  const logouts = checkRedirectPolicy(client.postLogoutRedirectUris, policy);
  if (logouts.length > 0) errors[BLOCK.logoutRedirectUris] = redirectPolicyText(logouts, policy);
  return Object.keys(errors).length > 0 ? errors : null;
}

/** Pane 2's policy error keyed by block id, or null when the expiry passes. */
export function secretPolicyErrors(
  secret: SecretDetails,
  policy: Policy,
  now: Date,
): Record<string, string> | null {
  const checked = checkSecretPolicy(secretExpiryOf(secret.expiration), policy, now);
  if (checked.ok) return null;
  const block = checked.code === "never-expires-denied" ? BLOCK.neverExpires : BLOCK.expirationDate;
  return { [block]: secretPolicyText(checked.code, checked.maxDays) };
}

export function secretPolicyText(code: SecretPolicyCode, maxDays?: number): string {
  switch (code) {
    case "expiry-beyond-max-days":
      return `Tenant policy: a secret may expire at most ${maxDays} days from today (MAX_SECRET_DAYS). Pick an earlier date.`;
    case "never-expires-denied":
      return "Tenant policy: secrets must expire (NEVER_EXPIRES=deny). Untick Never Expires and pick a date.";
  }
}

function redirectWords(code: RedirectPolicyCode, policy: Policy): string {
  switch (code) {
    case "not-a-url":
      return "is not a URL";
    case "not-https":
      return "must use https:// (REQUIRE_HTTPS_REDIRECTS; http:// only for localhost, 127.0.0.1, [::1])";
    case "host-not-allowed":
      return `is not on an allowed host (ALLOWED_REDIRECT_HOSTS: ${policy.allowedRedirectHosts.join(", ")})`;
    case "custom-scheme-not-allowed":
      return "uses a custom scheme, which tenant policy does not allow; use https:// or http://127.0.0.1:<port>";
  }
}

/** One inline error for a URL field: the first refused line, and how many more. */
export function redirectPolicyText(refusals: RedirectRefusal[], policy: Policy): string {
  const [first] = refusals;
  if (!first) return "";
  const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more)` : "";
  const url = first.url.length > 200 ? `${first.url.slice(0, 200)}…` : first.url;
  return `Tenant policy: ${url} ${redirectWords(first.code, policy)}${more}.`;
}
