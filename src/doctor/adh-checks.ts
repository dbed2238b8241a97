// The doctor's ADH checks: the host, the bot's token, its Tenant Administrator role and
// the days left on its own client secrets.
import type { AdhClient } from "../adh/client.js";
import { AdhError } from "../adh/errors.js";
import type { Config } from "../config.js";
import { expirationSeconds } from "../reminders/thresholds.js";
import { failed, messageOf, type Outcome, ok, skipped, withNetworkCause } from "./outcome.js";

const GLOBAL_ADH_HOST = "uswe.datahub.connect.aveva.com";
const ADH_HOST = /^([a-z0-9-]+)\.datahub\.connect\.aveva\.com$/i;

/** Exported for tests: a regional host cannot be reached from them. */
export function checkAdhHost(baseUrl: string): Outcome {
  const host = new URL(baseUrl).hostname.toLowerCase();
  const region = ADH_HOST.exec(host)?.[1];
  if (region !== undefined && host !== GLOBAL_ADH_HOST) {
    return failed(
      `ADH_BASE_URL points at the regional host ${host}; ADH accepts creating clients and secrets only on the global host`,
      `set ADH_BASE_URL=https://${GLOBAL_ADH_HOST}`,
    );
  }
  if (host === GLOBAL_ADH_HOST) return ok("global host");
  // Not an ADH host the doctor knows: nothing was checked, so no tick.
  return skipped(`${host} is not an AVEVA host, so the doctor cannot tell`);
}

export function adhTokenFailure(error: unknown): Outcome {
  const what = withNetworkCause(
    error instanceof AdhError ? error.message : messageOf(error),
    error,
  );
  if (error instanceof AdhError && (error.status === 400 || error.status === 401)) {
    return failed(
      what,
      "check ADH_CLIENT_ID and ADH_CLIENT_SECRET: the bot's client-credentials client in the ADH portal (Security > Clients > Client Credentials); if the secret expired or was lost, add a new secret there",
    );
  }
  return failed(
    what,
    `check ADH_BASE_URL (the global host https://${GLOBAL_ADH_HOST} for identity writes) and that it is reachable from here; then check ADH_CLIENT_ID and ADH_CLIENT_SECRET`,
  );
}

const ROLE_FIX =
  "in the ADH portal, Security > Clients > Client Credentials > the bot's client (ADH_CLIENT_ID) > Roles: add Tenant Administrator";
const RETRY_FIX = "try again later; quote the Operation-Id to AVEVA support if it persists";

/**
 * Why this probe: a client-credentials client can read its own roles —
 * GET …/ClientCredentialClients/{clientId}/Roles is documented as allowed for "Self" — so
 * the role can be checked exactly, by RoleTypeId (role Ids differ per tenant). The
 * obvious alternatives prove nothing: GET …/HybridClients and GET …/Users are allowed for
 * every Tenant Member, and trying a write would change the tenant.
 */
export async function checkTenantAdministrator(adh: AdhClient, config: Config): Promise<Outcome> {
  try {
    if (await adh.botIsTenantAdministrator()) return ok();
    // Only to name them in the failure: which roles the client holds instead.
    const held = await adh
      .getClientCredentialClientRoles(config.adhClientId)
      .then((roles) => roles.map((r) => r.Name ?? r.Id).join(", ") || "none")
      .catch(() => "unknown");
    return failed(`the client lacks Tenant Administrator (roles held: ${held})`, ROLE_FIX);
  } catch (error) {
    if (!(error instanceof AdhError)) throw error;
    return tenantAdministratorFailure(error);
  }
}

function tenantAdministratorFailure(error: AdhError): Outcome {
  const ref = error.operationId ? ` (Operation-Id ${error.operationId})` : "";
  const status = error.status;
  if (status === undefined) {
    return failed(error.message, "check ADH_BASE_URL and the network");
  }
  if (status === 404) {
    return failed(
      `ADH knows no client-credentials client ADH_CLIENT_ID in tenant ADH_TENANT_ID${ref}`,
      "check ADH_TENANT_ID, and that ADH_CLIENT_ID is a client-credentials client of that tenant",
    );
  }
  if (status === 401 || status === 403) {
    return failed(`ADH answered ${status} when the client read its own roles${ref}`, ROLE_FIX);
  }
  if (status >= 200 && status < 300) {
    // The reply arrived but was not a list of roles (AdhClient could not parse it).
    return failed(`ADH sent an unexpected list of roles${ref}`, RETRY_FIX);
  }
  return failed(`ADH answered ${status} when the client read its own roles${ref}`, RETRY_FIX);
}

/**
 * Days left on each of the bot's own client secrets. Expired ones fail only when no
 * other secret is still valid (the bot authenticates with one of them).
 */
export async function checkOwnSecrets(
  adh: AdhClient,
  reminderDays: readonly number[],
): Promise<Outcome> {
  const now = Date.now() / 1000;
  const soon = Math.max(...reminderDays);
  const rotate =
    "rotate it (README, Rotating the bot's credentials): add a second secret in the ADH portal, switch ADH_CLIENT_SECRET to it, then delete the old one";
  let secrets: Awaited<ReturnType<AdhClient["listOwnClientSecrets"]>>;
  try {
    secrets = await adh.listOwnClientSecrets();
  } catch (error) {
    if (error instanceof AdhError && (error.status === 401 || error.status === 403))
      return failed(`ADH answered ${error.status} to reading the client's secrets`, ROLE_FIX);
    return failed(`could not read the client's secrets: ${messageOf(error)}`, RETRY_FIX);
  }
  if (secrets.length === 0) return ok("ADH lists no secrets for it");
  const described = secrets.map((s) => {
    const expiration = expirationSeconds(s);
    if (expiration === null)
      return { id: s.Id, left: Number.POSITIVE_INFINITY, text: `secret ${s.Id}: never expires` };
    const left = (expiration - now) / 86_400;
    const day = new Date(expiration * 1000).toISOString().slice(0, 10);
    const words =
      left <= 0 ? "expired" : `${Math.ceil(left)} day${Math.ceil(left) === 1 ? "" : "s"} left`;
    return { id: s.Id, left, text: `secret ${s.Id}: ${words} (${day})` };
  });
  const detail = described.map((d) => d.text).join("; ");
  if (described.every((d) => d.left <= 0))
    return failed(`every secret has expired (${detail})`, rotate);
  const best = Math.max(...described.map((d) => d.left));
  return ok(best <= soon ? `${detail} — ${rotate}` : detail);
}
