// A failed apply is stored as a code plus a detail; the Slack layer words it. Requests
// stored before codes existed carry only a message, which is shown as it was.
import { describe, expect, it } from "vitest";
import { MAX_SECRETS_PER_CLIENT } from "../../../src/requests/rotation.js";
import { failureReason } from "../../../src/slack/request-card/failures.js";

const CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const at = 1_700_000_000_000;

describe("failureReason", () => {
  it("words each stored code with its detail", () => {
    expect(failureReason({ code: "secret-limit", message: CLIENT_ID, at })).toBe(
      `Client ${CLIENT_ID} already holds ${MAX_SECRETS_PER_CLIENT} secrets, the most ADH allows. Delete an old secret in the portal (Security > Clients > Hybrid Clients), then Retry.`,
    );
    expect(failureReason({ code: "no-such-client", message: CLIENT_ID, at })).toBe(
      `There is no hybrid client with Id ${CLIENT_ID} in this tenant. \`/hybrid-client list\` shows the clients.`,
    );
    expect(failureReason({ code: "requester-unknown-user", message: "ann@example.com", at })).toBe(
      "Requester check failed: No AVEVA Data Hub user in this tenant has the email ann@example.com. Ask a Tenant Administrator to invite you with that address, then try again.",
    );
    expect(failureReason({ code: "requester-not-admin", message: "", at })).toMatch(
      /^Requester check failed: Only Tenant Administrators in AVEVA Data Hub can request/,
    );
    expect(failureReason({ code: "requester-no-email", message: "", at })).toMatch(
      /^Requester check failed: Your Slack profile has no email address/,
    );
    expect(failureReason({ code: "requester-adh-unavailable", message: "HTTP 503", at })).toBe(
      "Requester check failed: AVEVA Data Hub could not be reached to check your role (HTTP 503). Nothing was submitted; try again in a few minutes.",
    );
    expect(failureReason({ code: "dm-undelivered", message: "channel_not_found", at })).toBe(
      "The client was created, but the message with the Reveal button could not be sent to the requester (channel_not_found). Retry sends it again.",
    );
  });

  it("shows a message stored without a code as it was stored", () => {
    expect(failureReason({ message: "ADH answered 500 Internal Server Error", at })).toBe(
      "ADH answered 500 Internal Server Error",
    );
  });
});
