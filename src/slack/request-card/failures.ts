// The words for why a request could not be applied (stored as a code plus a detail), and
// for why a requester may not ask (the same checks answer the form and the apply).
import type { RequestError } from "../../requests/model.js";
import type { RequesterRefusal } from "../../requests/outcomes.js";
import { MAX_SECRETS_PER_CLIENT } from "../../requests/rotation.js";
import { COMMAND } from "../kit/command.js";

export function requesterRefusalText(refusal: RequesterRefusal): string {
  switch (refusal.code) {
    case "no-email":
      return "Your Slack profile has no email address the bot can read, so it cannot find you in AVEVA Data Hub. Add an email to your Slack profile, or ask a workspace admin.";
    case "unknown-user":
      return `No AVEVA Data Hub user in this tenant has the email ${refusal.email}. Ask a Tenant Administrator to invite you with that address, then try again.`;
    case "not-admin":
      return "Only Tenant Administrators in AVEVA Data Hub can request hybrid clients, and your ADH user does not hold that role. Ask a Tenant Administrator to make the request, or to grant you the role.";
    case "adh-unavailable":
      return `AVEVA Data Hub could not be reached to check your role (${refusal.detail}). Nothing was submitted; try again in a few minutes.`;
  }
}

/** Not echoed: it is user-typed text, and these messages are shown as mrkdwn. */
export function notAClientIdText(): string {
  return `That is not a client id. Client ids look like 3f2504e0-4f89-11d3-9a0c-0305e82c3301; \`${COMMAND} list\` shows them.`;
}

export function noSuchClientText(clientId: string): string {
  return `There is no hybrid client with Id ${clientId} in this tenant. \`${COMMAND} list\` shows the clients.`;
}

export function secretLimitText(clientId: string): string {
  return `Client ${clientId} already holds ${MAX_SECRETS_PER_CLIENT} secrets, the most ADH allows. Delete an old secret in the portal (Security > Clients > Hybrid Clients), then Retry.`;
}

const requesterFailed = (refusal: RequesterRefusal) =>
  `Requester check failed: ${requesterRefusalText(refusal)}`;

/** Why applying failed, unescaped (the caller escapes); old requests carry only a message. */
export function failureReason(error: RequestError): string {
  const detail = error.message;
  switch (error.code) {
    case undefined:
      return detail;
    case "requester-no-email":
      return requesterFailed({ code: "no-email" });
    case "requester-not-admin":
      return requesterFailed({ code: "not-admin" });
    case "requester-unknown-user":
      return requesterFailed({ code: "unknown-user", email: detail });
    case "requester-adh-unavailable":
      return requesterFailed({ code: "adh-unavailable", detail });
    case "no-such-client":
      return noSuchClientText(detail);
    case "secret-limit":
      return secretLimitText(detail);
    case "changed-in-adh":
      return changedInAdhText(detail);
    case "foreign-client":
      return "A client with this request's Id already exists in AVEVA Data Hub and does not match what was approved, so the bot did not take it over: no secret was created and none was deleted. Ask a Tenant Administrator to check the client in the portal, then make a new request.";
    case "dm-undelivered":
      return `The client was created, but the message with the Reveal button could not be sent to the requester (${detail}). Retry sends it again.`;
    case "policy-refused":
      return `the request no longer passes the tenant policy (${detail}), which changed after it was submitted. Retry fails the same way; the requester can submit a new request.`;
  }
}

/** An edit found the field (`detail`, the form's name for it) changed in ADH meanwhile. */
export function changedInAdhText(field: string): string {
  const words: Record<string, string> = {
    name: "Name",
    allowOfflineAccess: "Allow Refresh Token",
    redirectUris: "Allowed Redirect URL(s)",
    postLogoutRedirectUris: "Allowed Logout Redirect URL(s)",
    accessTokenLifetime: "Token Lifetime",
    enabled: "Enabled",
  };
  return `${words[field] ?? field} was changed in ADH since it was requested, so nothing was applied; request again.`;
}
