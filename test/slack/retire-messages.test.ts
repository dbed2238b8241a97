// Rotation that retires the old secret (issue 11 item 5), as Slack shows it: the Replace
// secret select (optional, or required at ADH's limit), the approvers' line, the revealed
// DM's Delete old secret button and what replaces it, and the answers to a press.
import type { Button, InputBlock, ModalView } from "@slack/types";
import { describe, expect, it } from "vitest";
import { type HybridClientRequest, RotationRequest } from "../../src/requests/model.js";
import { buildApprovalMessage } from "../../src/slack/approval/message.js";
import { BLOCK, DELETE_OLD_SECRET } from "../../src/slack/ids.js";
import {
  readReplaceChoice,
  replaceRequiredIn,
  secretChoiceText,
} from "../../src/slack/request-form/replace-secret.js";
import { buildSecretFormView } from "../../src/slack/request-form/secret-pane.js";
import { buildRevealedDm } from "../../src/slack/reveal/messages.js";
import { buildRetireReminder, retireAnswer } from "../../src/slack/reveal/retire-messages.js";
import { limitViolations } from "../support/block-limits.js";

const T0 = Date.UTC(2026, 2, 10, 15, 0, 0);
const choices = [
  { secretId: 7, description: "build server", expiration: "2027-01-31T23:59:59Z", last: false },
  { secretId: 8, description: "x".repeat(200), expiration: null, last: false },
];

function rotation(overrides: Partial<RotationRequest> = {}): HybridClientRequest {
  return RotationRequest.parse({
    id: "req-9",
    kind: "new-secret",
    status: "created",
    requesterId: "U0REQUESTER",
    reason: "",
    clientId: "6f1c2a9e-1b2c-4d5e-8f90-123456789abc",
    client: {
      name: "Plant A gateway",
      allowOfflineAccess: false,
      redirectUris: [],
      postLogoutRedirectUris: [],
      accessTokenLifetime: 3600,
    },
    secret: { description: "rotated", expiration: null },
    reminderChannel: "C0TEAM",
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    approvalsRequired: 1,
    approvals: [{ userId: "U0APPROVER", at: T0 }],
    dm: { channel: "D0DM", ts: "5.6" },
    reveal: "revealed",
    revealedAt: T0,
    updatedAt: T0,
    retire: { secretId: 7, description: "build server", expiration: null, first: false },
    ...overrides,
  });
}

const replaceBlock = (view: ModalView) =>
  view.blocks.find((b): b is InputBlock => b.block_id === BLOCK.replaceSecret);
const buttons = (blocks: unknown) =>
  JSON.stringify(blocks).includes(DELETE_OLD_SECRET)
    ? (JSON.parse(JSON.stringify(blocks)) as { elements?: Button[] }[])
        .flatMap((b) => b.elements ?? [])
        .filter((e) => e.action_id === DELETE_OLD_SECRET)
    : [];

describe("the Replace secret select", () => {
  it("is optional by default, lists each secret within Slack's option limit, and reads back", () => {
    const view = buildSecretFormView({
      requestKey: "k",
      clientName: "Plant A gateway",
      defaultExpiration: "2027-03-10",
      replaceChoices: choices,
    });
    expect(limitViolations(view)).toEqual([]);
    const block = replaceBlock(view);
    expect(block?.optional).toBe(true);
    expect(replaceRequiredIn(view.blocks)).toBe(false);
    expect(secretChoiceText(choices[0]!)).toBe("Secret 7 · build server · expires 2027-01-31");
    expect(secretChoiceText(choices[1]!).length).toBeLessThanOrEqual(75);
    const values = {
      [BLOCK.replaceSecret]: { [BLOCK.replaceSecret]: { selected_option: { value: "8" } } },
    };
    expect(readReplaceChoice(values)).toBe(8);
    expect(readReplaceChoice({})).toBeUndefined();
  });

  it("is required at ADH's limit and says the chosen secret is deleted before the new one", () => {
    const view = buildSecretFormView({
      requestKey: "k",
      clientName: "Full app",
      defaultExpiration: "2027-03-10",
      replaceChoices: choices,
      replaceRequired: true,
    });
    expect(replaceBlock(view)?.optional).toBeUndefined();
    expect(replaceRequiredIn(view.blocks)).toBe(true);
    expect(JSON.stringify(view)).toMatch(/10 secrets.*deleted \*before\* the new one is created/);
    expect(JSON.stringify(view)).toMatch(/up to an hour/);
  });

  it("is absent for a new client", () => {
    const view = buildSecretFormView({ requestKey: "k", defaultExpiration: "2027-03-10" });
    expect(replaceBlock(view)).toBeUndefined();
  });
});

describe("what approvers and the requester see", () => {
  it("the approvals message names the secret retired, or deleted first at the limit", () => {
    const later = JSON.stringify(buildApprovalMessage(rotation(), { approvalsRequired: 1 }));
    expect(later).toMatch(/Also retires secret 7 \(build server\)/);
    const first = rotation({
      retire: { secretId: 7, description: "build server", expiration: null, first: true },
    });
    expect(JSON.stringify(buildApprovalMessage(first, { approvalsRequired: 1 }))).toMatch(
      /secret 7 \(build server\).*deleted \*before\* the new one is created/,
    );
  });

  it("the revealed DM offers Delete old secret (danger, confirm) until it is used", () => {
    const dm = buildRevealedDm(rotation(), T0 / 1000);
    expect(limitViolations(dm)).toEqual([]);
    const [button] = buttons(dm.blocks);
    expect(button).toMatchObject({ style: "danger", value: "req-9" });
    expect(button?.confirm?.style).toBe("danger");
    const done = buildRevealedDm(rotation({ retiredAt: T0 + 1000 }), T0 / 1000);
    expect(buttons(done.blocks)).toEqual([]);
    expect(JSON.stringify(done.blocks)).toMatch(/Old secret 7 deleted at .*up to an hour/);
    const none = buildRevealedDm(rotation({ retire: undefined }), T0 / 1000);
    expect(JSON.stringify(none.blocks)).not.toMatch(/old secret/i);
  });

  it("every answer about the deletion says ADH can take up to an hour", () => {
    const answers = [
      retireAnswer({ ok: true, secretId: 7, description: "build server", at: T0 }),
      retireAnswer({ ok: false, failed: "ADH answered 503" }),
      retireAnswer({ ok: false, refusal: { code: "already-deleted", at: T0 } }),
      retireAnswer({ ok: false, refusal: { code: "in-progress" } }),
      buildRetireReminder(rotation()).text,
    ];
    for (const text of answers) expect(text).toMatch(/up to an hour/);
    expect(retireAnswer({ ok: false, refusal: { code: "not-requester" } })).toMatch(
      /Only the person who requested/,
    );
  });
});
