import type { Button, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { HybridClientRequest, RequestStatus } from "../../src/requests/model.js";
import { buildApprovalMessage } from "../../src/slack/approval/message.js";
import { buildHelp } from "../../src/slack/help.js";
import { APPROVE, CANCEL, DENY, RETRY, REVEAL } from "../../src/slack/ids.js";
import type { SlackMessage } from "../../src/slack/kit/blocks.js";
import { buildAlreadyDecided } from "../../src/slack/request-card/refusals.js";
import {
  buildRequesterReceipt,
  buildRequesterUpdate,
  buildStatusList,
} from "../../src/slack/requester/messages.js";
import {
  buildCreatedDm,
  buildRevealedDm,
  buildSecretReveal,
} from "../../src/slack/reveal/messages.js";
import { limitViolations } from "../support/block-limits.js";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0); // the model stores milliseconds

function request(overrides: Partial<HybridClientRequest> = {}): HybridClientRequest {
  return {
    id: "req-1",
    kind: "new-client",
    status: "pending",
    requesterId: "U0REQUESTER",
    reason: "Plant A historian to ADH",
    clientId: "6f1c2a9e-1b2c-4d5e-8f90-123456789abc",
    client: {
      name: "Plant A gateway",
      allowOfflineAccess: true,
      redirectUris: ["https://app.example.com/callback", "myapp://callback"],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "first secret", expiration: "2027-03-10T23:59:59.000Z" },
    reminderChannel: "C0TEAM",
    createdAt: T0,
    expiresAt: T0 + 24 * 3600_000,
    approvalsRequired: 2,
    approvals: [],
    denial: null,
    cancelledAt: null,
    error: null,
    approvalMessage: { channel: "C0APPROVALS", ts: "1.2" },
    dm: null,
    reveal: "none",
    revealedAt: null,
    revealedSecretId: null,
    updatedAt: T0,
    ...overrides,
  };
}

const STATUSES: RequestStatus[] = [
  "pending",
  "creating",
  "created",
  "failed",
  "denied",
  "cancelled",
  "expired",
];

/** A request in `status` with what that status implies (approvals, denial, error). */
function inStatus(
  status: RequestStatus,
  base: Partial<HybridClientRequest> = {},
): HybridClientRequest {
  const approvals = status === "pending" ? [{ userId: "U0ALICE", at: T0 + 1000 }] : [];
  if (["creating", "created", "failed"].includes(status))
    approvals.push({ userId: "U0ALICE", at: T0 + 1000 }, { userId: "U0BOB", at: T0 + 2000 });
  return request({
    status,
    approvals,
    denial:
      status === "denied"
        ? { userId: "U0CAROL", at: T0 + 3000, reason: "use the existing client" }
        : null,
    error:
      status === "failed"
        ? {
            message: "ADH answered 503 <b>Service Unavailable</b>",
            status: 503,
            operationId: "op-42",
            at: T0,
          }
        : null,
    updatedAt: T0 + 5000,
    ...base,
  });
}

function buttons(blocks: KnownBlock[]): Button[] {
  return blocks.flatMap((b) => {
    if (b.type === "actions") return b.elements.filter((e): e is Button => e.type === "button");
    if (b.type === "section" && b.accessory?.type === "button") return [b.accessory];
    return [];
  });
}

/** All the mrkdwn a reader sees: fallback text and every text object in the blocks. */
const allText = (m: SlackMessage) => JSON.stringify(m);

describe("approvals message", () => {
  it("shows who asked, why, every field and the approvals so far", () => {
    const m = buildApprovalMessage(inStatus("pending"), { approvalsRequired: 2 });
    const text = allText(m);
    expect(m.blocks[0]).toMatchObject({ type: "header", text: { text: "Hybrid client request" } });
    for (const label of [
      "Name",
      "Client Id",
      "Allow Refresh Token",
      "Allowed Redirect URL(s)",
      "Allowed Logout Redirect URL(s)",
      "Token Lifetime",
      "Reminder channel",
      "Secret description",
      "Expiration",
    ])
      expect(text).toContain(`*${label}*`);
    expect(text).toContain("<@U0REQUESTER> asks for a new hybrid client *Plant A gateway*");
    expect(text).toContain("Plant A historian to ADH");
    expect(text).toContain("`https://app.example.com/callback`\\n`myapp://callback`");
    expect(text).toContain("<#C0TEAM>");
    expect(text).toContain("3600 seconds");
    expect(text).toContain("1 of 2 approvals: <@U0ALICE>");
    expect(text).toContain("<!date^1804723199^{date_short_pretty} {time}|2027-03-10 23:59 UTC>");
  });

  it("titles a rotation as a new secret request", () => {
    const m = buildApprovalMessage(request({ kind: "new-secret" }), { approvalsRequired: 1 });
    expect(m.blocks[0]).toMatchObject({ type: "header", text: { text: "New secret request" } });
    expect(allText(m)).toContain("asks for a new secret for client *Plant A gateway*");
    expect(allText(m)).not.toContain("Allowed Redirect URL(s)");
  });

  it("warns when the secret never expires", () => {
    const m = buildApprovalMessage(request({ secret: { description: "", expiration: null } }), {
      approvalsRequired: 1,
    });
    expect(allText(m)).toContain("Never Expires ⚠️");
  });

  it("shows an expiration that is not an ISO date as stored, escaped", () => {
    // Found by the properties: Date.parse("50") is a date in 1950.
    for (const expiration of ["50", "<!here>"]) {
      const m = buildApprovalMessage(request({ secret: { description: "", expiration } }), {
        approvalsRequired: 1,
      });
      expect(allText(m)).not.toContain("<!date^-");
      expect(allText(m)).not.toContain("<!here>");
    }
  });

  it("pending: Approve (with confirm) and Deny, valued with the request id only", () => {
    const m = buildApprovalMessage(inStatus("pending"), { approvalsRequired: 2 });
    const [approve, deny, ...more] = buttons(m.blocks);
    expect(more).toEqual([]);
    expect(approve).toMatchObject({
      action_id: APPROVE,
      style: "primary",
      value: "req-1",
      confirm: {
        title: { text: "Approve this request?" },
        text: { text: expect.stringContaining("*Plant A gateway*") },
        confirm: { text: "Approve" },
        deny: { text: "Back" },
      },
    });
    expect(deny).toMatchObject({ action_id: DENY, style: "danger", value: "req-1" });
    expect(deny).not.toHaveProperty("confirm");
  });

  it("failed: the escaped error, the Operation-Id and a Retry button", () => {
    const m = buildApprovalMessage(inStatus("failed"), { approvalsRequired: 2 });
    expect(buttons(m.blocks).map((b) => [b.action_id, b.style, b.value])).toEqual([
      [RETRY, "primary", "req-1"],
    ]);
    const text = allText(m);
    expect(text).toContain("(HTTP 503): ADH answered 503 &lt;b&gt;Service Unavailable&lt;/b&gt;");
    expect(text).toContain("Operation-Id: `op-42`");
    expect(text).not.toContain("<b>");
  });

  it.each([
    ["creating", "⏳ Approved by <@U0ALICE>, <@U0BOB> — creating the client in ADH…"],
    ["created", "✅ Approved by <@U0ALICE>, <@U0BOB>; client created"],
    ["denied", "❌ Denied by <@U0CAROL> — use the existing client"],
    ["cancelled", "Cancelled by the requester"],
    ["expired", "⌛ Expired: nobody decided within 24 hours"],
  ] as const)("%s: says so and has no buttons", (status, line) => {
    const m = buildApprovalMessage(inStatus(status), { approvalsRequired: 2 });
    expect(buttons(m.blocks)).toEqual([]);
    expect(allText(m)).toContain(line);
  });

  it("changes every block id on each update", () => {
    const ids = (r: HybridClientRequest) =>
      buildApprovalMessage(r, { approvalsRequired: 2 }).blocks.map((b) => b.block_id);
    const before = ids(inStatus("pending"));
    const later = ids(inStatus("pending", { updatedAt: T0 + 9000 }));
    const created = ids(inStatus("created"));
    for (const id of before) {
      expect(later).not.toContain(id);
      expect(created).not.toContain(id);
    }
    expect(created.at(-1)).toMatch(/^status:created:/);
  });
});

describe("user text is escaped everywhere", () => {
  const evil = "<!channel> & <@U123>";
  const escaped = "&lt;!channel&gt; &amp; &lt;@U123&gt;";
  const r = (status: RequestStatus) =>
    inStatus(status, {
      client: { ...request().client, name: evil, redirectUris: [`https://x.example/${evil}`] },
      reason: evil,
      secret: { description: evil, expiration: evil },
      denial: status === "denied" ? { userId: "U0CAROL", at: T0, reason: evil } : null,
      clientId: evil,
      reminderChannel: evil,
      approvals:
        status === "pending" ? [{ userId: evil, at: T0 }] : [{ userId: "U0ALICE", at: T0 }],
    });
  const messages = STATUSES.flatMap((s) => [
    buildApprovalMessage(r(s), { approvalsRequired: 2 }),
    buildRequesterReceipt(r(s), "https://example.slack.com/archives/C1/p1"),
    buildRequesterUpdate(r(s)),
    buildCreatedDm(r(s)),
    buildRevealedDm(r(s), T0 / 1000),
    buildAlreadyDecided(r(s), evil),
  ]);
  messages.push(buildStatusList([r("pending"), r("failed")]), buildHelp(evil));
  messages.push(
    buildSecretReveal({ clientId: "id", clientName: evil, secret: "s3cr3t", expiration: null }),
  );

  it("never lets a name ping anybody", () => {
    for (const m of messages) {
      const json = allText(m);
      expect(json).not.toContain("<!channel>");
      expect(json).not.toContain("<@U123>");
    }
    for (const m of messages.slice(0, 5)) expect(allText(m)).toContain("&lt;!channel&gt;");
    expect(allText(buildApprovalMessage(r("pending"), { approvalsRequired: 2 }))).toContain(
      escaped,
    );
  });
});

describe("limits", () => {
  const amp = (n: number) => "&".repeat(n); // escapes to five times its length
  const huge = request({
    client: {
      name: `${amp(100)}${"N".repeat(2900)}`,
      allowOfflineAccess: true,
      redirectUris: Array.from({ length: 10 }, (_, i) => `https://a.example/${i}?${amp(280)}`),
      postLogoutRedirectUris: Array.from(
        { length: 10 },
        (_, i) => `https://b.example/${i}/${"p".repeat(290)}`,
      ),
      accessTokenLifetime: 3600,
    },
    reason: `${amp(500)}${"r".repeat(1500)}`,
    secret: { description: `${amp(200)}`, expiration: null },
    error: { message: amp(3000), operationId: "o".repeat(300), status: 500, at: T0 },
    denial: { userId: "U0CAROL", at: T0, reason: amp(2000) },
    approvals: Array.from({ length: 30 }, (_, i) => ({ userId: `U0APPROVER${i}`, at: T0 })),
    clientId: "c".repeat(300),
  });

  it("keeps every message within Slack's limits, whatever the request holds", () => {
    for (const status of STATUSES) {
      const r = { ...huge, status };
      const all: SlackMessage[] = [
        buildApprovalMessage(r, { approvalsRequired: 30 }),
        buildRequesterReceipt(r),
        buildRequesterUpdate(r),
        buildCreatedDm(r),
        buildRevealedDm(r, 1_800_000_000),
        buildAlreadyDecided(r),
      ];
      for (const m of all) expect(limitViolations(m), `${status}`).toEqual([]);
    }
  });

  it("shows all ten long URLs, split over sections rather than cut", () => {
    const text = allText(buildApprovalMessage(huge, { approvalsRequired: 1 }));
    for (let i = 0; i < 10; i++) expect(text).toContain(`https://b.example/${i}/`);
  });

  it("summarises a status list longer than one message can hold", () => {
    const many = Array.from({ length: 80 }, (_, i) =>
      request({ id: `r${i}`, client: huge.client }),
    );
    const m = buildStatusList(many);
    expect(limitViolations(m)).toEqual([]);
    expect(m.blocks).toHaveLength(50);
    expect(allText(m)).toContain("more sections not shown");
  });

  it("keeps the secret reveal within limits", () => {
    const m = buildSecretReveal({
      clientId: "id",
      clientName: amp(3000),
      secret: "x".repeat(64),
      expiration: null,
    });
    expect(limitViolations(m)).toEqual([]);
  });
});

describe("the requester", () => {
  it("receipt: where the request went, and Cancel", () => {
    const m = buildRequesterReceipt(
      request(),
      "https://example.slack.com/archives/C0APPROVALS/p12",
    );
    expect(m.text).toContain(
      "Your request for *Plant A gateway* was sent to <#C0APPROVALS> for approval",
    );
    expect(m.text).toContain("<https://example.slack.com/archives/C0APPROVALS/p12|View it>");
    expect(buttons(m.blocks)).toEqual([
      expect.objectContaining({ action_id: CANCEL, value: "req-1" }),
    ]);
    expect(buildRequesterReceipt(request(), "javascript:alert(1)").text).not.toContain(
      "javascript",
    );
  });

  it.each([
    ["created", "Check your DMs"],
    ["denied", "denied by <@U0CAROL>: use the existing client"],
    ["expired", "nobody decided within 24 hours"],
    ["cancelled", "You cancelled your request"],
    ["failed", "the approvers can retry"],
  ] as const)("update when %s", (status, words) => {
    const m = buildRequesterUpdate(inStatus(status));
    expect(allText(m)).toContain(words);
    expect(buttons(m.blocks)).toEqual([]);
  });

  it("created DM: Client Id, settings and a one-time Reveal secret button", () => {
    const m = buildCreatedDm(inStatus("created"));
    expect(m.blocks[0]).toMatchObject({ type: "header", text: { text: "Client created" } });
    expect(allText(m)).toContain("`6f1c2a9e-1b2c-4d5e-8f90-123456789abc`");
    expect(allText(m)).toContain("revealed *once*");
    expect(buttons(m.blocks)).toEqual([
      expect.objectContaining({
        action_id: REVEAL,
        style: "primary",
        value: "req-1",
        text: expect.objectContaining({ text: "Reveal secret" }),
      }),
    ]);
    expect(allText(buildCreatedDm(inStatus("created", { kind: "new-secret" })))).toContain(
      "New secret approved for client *Plant A gateway*",
    );
  });

  it("revealed DM: when, no button, how to get another", () => {
    const m = buildRevealedDm(inStatus("created", { reveal: "revealed" }), 1_800_000_000);
    expect(buttons(m.blocks)).toEqual([]);
    expect(allText(m)).toContain("Secret revealed at <!date^1800000000^");
    expect(allText(m)).toContain("`/hybrid-client secret 6f1c2a9e-1b2c-4d5e-8f90-123456789abc`");
  });

  it("secret reveal: ephemeral, the portal's warning, and the secret nowhere but its own block", () => {
    const secret = "Zx9&<s3cr3t>`~";
    const m = buildSecretReveal({
      clientId: "cid-1",
      clientName: "Gateway",
      secret,
      expiration: "2027-03-10T23:59:59.000Z",
    });
    expect(m).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(m.text).not.toContain("Zx9");
    expect(allText(m)).toContain("Copy the client secret now. It cannot be shown again.");
    const holding = m.blocks.filter((b) => JSON.stringify(b).includes("Zx9"));
    expect(holding).toEqual([
      {
        type: "rich_text",
        elements: [{ type: "rich_text_preformatted", elements: [{ type: "text", text: secret }] }],
      },
    ]);
    expect(allText(m)).toContain('"text":"cid-1"');
  });
});

describe("command replies", () => {
  it("status list: nothing open", () => {
    const m = buildStatusList([inStatus("created"), inStatus("denied")]);
    expect(m.text).toBe("You have no open requests.");
  });

  it("status list: open requests, Cancel only on pending ones", () => {
    const m = buildStatusList([
      inStatus("pending", { id: "a" }),
      inStatus("failed", { id: "b" }),
      inStatus("created", { id: "c" }),
    ]);
    expect(m.text).toBe("You have 2 open requests.");
    expect(buttons(m.blocks).map((b) => [b.action_id, b.value])).toEqual([[CANCEL, "a"]]);
    expect(allText(m)).toContain("Waiting for approval (1 of 2)");
  });

  it("help: usage, and what was not understood, escaped", () => {
    expect(allText(buildHelp())).toContain("`/hybrid-client secret &lt;client-id&gt;`");
    const m = buildHelp("frobnicate `x` <!here>");
    expect(m.text).toContain("I didn't understand `frobnicate ˋxˋ &lt;!here&gt;`");
  });

  it.each([
    ["created", undefined, "Already approved by <@U0ALICE>, <@U0BOB>."],
    ["denied", undefined, "Already denied by <@U0CAROL>."],
    ["expired", undefined, "This request expired: nobody decided within 24 hours."],
    ["cancelled", undefined, "The requester cancelled this request."],
    ["pending", "U0ALICE", "You already approved this request; waiting for 1 more approval."],
  ] as const)("late click on a %s request", (status, clicker, text) => {
    const m = buildAlreadyDecided(inStatus(status), clicker);
    expect(m.text).toBe(text);
    expect(buttons(m.blocks)).toEqual([]);
  });
});
