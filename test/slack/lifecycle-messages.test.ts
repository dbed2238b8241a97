// How the lifecycle kinds read to approvers and requesters: titles, the edit's diff, the
// destructive marks, the hour-long note, within Slack's limits in every status.
import { describe, expect, it } from "vitest";
import { HybridClientRequest, KIND, type RequestStatus } from "../../src/requests/model.js";
import { buildApprovalMessage } from "../../src/slack/approval/message.js";
import { buildRequesterUpdate, buildStatusList } from "../../src/slack/requester/messages.js";
import { limitViolations } from "../support/block-limits.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const CLIENT_ID = "6f1c2a9e-1b2c-4d5e-8f90-123456789abc";

function request(kind: string, extra: object = {}, status: RequestStatus = "pending") {
  return HybridClientRequest.parse({
    id: "R1",
    kind,
    status,
    requesterId: "U0REQUESTER",
    reason: "leaked in a log",
    clientId: CLIENT_ID,
    client: {
      name: "Plant <A>",
      allowOfflineAccess: false,
      redirectUris: [],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "", expiration: null },
    reminderChannel: "C0TEAM",
    createdAt: T0,
    expiresAt: T0 + 86_400_000,
    approvalsRequired: 1,
    approvals: status === "pending" ? [] : [{ userId: "U0APPROVER", at: T0 + 1 }],
    reveal: "none",
    updatedAt: T0 + 2,
    ...extra,
  });
}

const text = (m: unknown) => JSON.stringify(m);
const long = (i: number) => `https://host-${i}.example.com/${"x".repeat(480)}`;

describe("lifecycle approvals messages", () => {
  it("names each kind in its title and marks the destructive ones", () => {
    expect(
      text(
        buildApprovalMessage(
          request(KIND.edit, { edit: { before: { name: "a" }, after: { name: "b" } } }),
          { approvalsRequired: 1 },
        ),
      ),
    ).toContain("Edit client request");
    const disable = text(buildApprovalMessage(request(KIND.disable), { approvalsRequired: 1 }));
    expect(disable).toContain("Disable client request");
    expect(disable).toContain(
      "stops new sign-ins; access tokens already issued stay valid until they expire",
    );
    const del = text(
      buildApprovalMessage(request(KIND.deleteClient, { secretCount: 3 }), {
        approvalsRequired: 1,
      }),
    );
    expect(del).toContain("Delete client request (destructive)");
    expect(del).toContain("3 secret(s)");
    const last = text(
      buildApprovalMessage(
        request(KIND.deleteSecret, {
          target: {
            secretId: 4,
            description: "ci",
            expiration: "2027-01-01T00:00:00Z",
            last: true,
          },
        }),
        { approvalsRequired: 1 },
      ),
    );
    expect(last).toContain("last secret");
    expect(last).toContain("Plant &lt;A&gt;");
    for (const m of [disable, del, last]) expect(m).toContain("up to an hour");
  });

  it("an edit of 10 long URLs each way stays within Slack's limits in every status", () => {
    const before = { redirectUris: Array.from({ length: 10 }, (_, i) => long(i)), name: "a" };
    const after = { redirectUris: Array.from({ length: 10 }, (_, i) => long(i + 10)), name: "b" };
    for (const status of ["pending", "creating", "created", "failed"] as const) {
      const r = request(KIND.edit, { edit: { before, after } }, status);
      expect(limitViolations(buildApprovalMessage(r, { approvalsRequired: 1 })), status).toEqual(
        [],
      );
      expect(limitViolations(buildRequesterUpdate(r)), status).toEqual([]);
    }
  });

  it("the requester hears it was applied, with the hour-long note; status names the kind", () => {
    const done = text(buildRequesterUpdate(request(KIND.enable, {}, "created")));
    expect(done).toContain("Client enabled");
    expect(done).toContain("up to an hour");
    expect(text(buildStatusList([request(KIND.deleteClient, { secretCount: 1 })]))).toContain(
      "Delete client",
    );
  });
});
