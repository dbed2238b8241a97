// The `/hybrid-client audit` answer: one line per event with a Slack date, user text in
// details escaped, and within Slack's block limits at the full 20 events.
import { describe, expect, it } from "vitest";
import { AUDIT_SHOWN } from "../../src/requests/audit-read.js";
import { auditRefusalText, buildAuditMessage } from "../../src/slack/audit/message.js";
import type { AuditEvent } from "../../src/store/audit-event.js";

const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  v: 1,
  id: `ae_${n}`,
  at: new Date(Date.UTC(2026, 4, 1, 10, n)).toISOString(),
  type: "request.denied",
  actor: { slack: "U0APPROVE1" },
  requestId: `R${n}`,
  clientId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  details: { kind: "new-client", status: "denied", reason: "use the <!channel> *shared* one" },
  prev: "",
  hash: "",
  ...overrides,
});

describe("the audit answer", () => {
  it("dates each line for the reader's time zone and escapes what users typed", () => {
    const message = buildAuditMessage([event(1), event(2, { actor: "system" })]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("<!date^1777629660^");
    expect(text).toContain("<@U0APPROVE1>");
    expect(text).toContain("the bot (timer)");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("<!channel>");
    // The request's kind and status are in every event; the line shows only what differs.
    expect(text).not.toContain("status: denied");
  });

  it("fits the full 20 events in one message", () => {
    const events = Array.from({ length: AUDIT_SHOWN }, (_, i) => event(i));
    const message = buildAuditMessage(events);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const lines = message.blocks.filter((b) => JSON.stringify(b).includes("<!date^"));
    expect(lines).toHaveLength(AUDIT_SHOWN);
  });

  it("says when there is nothing yet, and why a reader is refused", () => {
    expect(buildAuditMessage([], "3f2504e0-4f89-11d3-9a0c-0305e82c3301").text).toMatch(
      /No audit events about client/,
    );
    expect(auditRefusalText("not-allowed")).toMatch(/Tenant Administrators.*approvers/);
  });
});
