// What approvers and requesters see of a request, under the trust rules (issue 9): the
// punycode host beside a non-ASCII one, no Client Id before the client exists, and the
// words of the new refusals.
import { describe, expect, it } from "vitest";
import type { HybridClientRequest } from "../../src/requests/model.js";
import { buildApprovalMessage } from "../../src/slack/approval/message.js";
import { punycodeHost } from "../../src/slack/request-card/details.js";
import { buildRequesterReceipt } from "../../src/slack/requester/messages.js";
import { revealExpiredText, revealRefusedText } from "../../src/slack/reveal/messages.js";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0);
const CLIENT_ID = "6f1c2a9e-1b2c-4d5e-8f90-123456789abc";

function request(overrides: Partial<HybridClientRequest> = {}): HybridClientRequest {
  return {
    id: "req-1",
    kind: "new-client",
    status: "pending",
    requesterId: "U0REQUESTER",
    reason: "",
    clientId: CLIENT_ID,
    client: {
      name: "Pay app",
      allowOfflineAccess: false,
      // "pаypal" with a Cyrillic а.
      redirectUris: ["https://p\u0430ypal.example/cb", "https://plain.example/cb"],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "", expiration: null },
    reminderChannel: "C0TEAM",
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    approvalsRequired: 1,
    approvals: [],
    reveal: "none",
    updatedAt: T0,
    ...overrides,
  };
}

describe("trust in what is shown", () => {
  it("shows approvers the punycode form beside a non-ASCII host", () => {
    expect(punycodeHost("https://p\u0430ypal.example/cb")).toBe("xn--pypal-4ve.example");
    expect(punycodeHost("https://plain.example/cb")).toBeUndefined();
    const text = JSON.stringify(buildApprovalMessage(request(), { approvalsRequired: 1 }));
    expect(text).toContain("host in ASCII: `xn--pypal-4ve.example`");
    expect(text.match(/host in ASCII/g)).toHaveLength(1);
  });

  it("shows no Client Id before the client exists, and shows it once created", () => {
    for (const status of ["pending", "creating", "failed"] as const) {
      const r = request({ status });
      expect(JSON.stringify(buildApprovalMessage(r, { approvalsRequired: 1 }))).not.toContain(
        CLIENT_ID,
      );
      expect(JSON.stringify(buildRequesterReceipt(r))).not.toContain(CLIENT_ID);
    }
    const created = request({ status: "created", reveal: "ready" });
    expect(JSON.stringify(buildApprovalMessage(created, { approvalsRequired: 1 }))).toContain(
      CLIENT_ID,
    );
  });

  it("a refused or late Reveal says why and that nothing was minted", () => {
    const refused = revealRefusedText({ code: "not-admin" });
    expect(refused).toContain("Tenant Administrator");
    expect(refused).toContain("No secret was created");
    const late = revealExpiredText({ clientId: CLIENT_ID, deadline: T0 });
    expect(late).toContain("make the request again");
    expect(late).toContain(`/hybrid-client secret ${CLIENT_ID}`);
  });
});
