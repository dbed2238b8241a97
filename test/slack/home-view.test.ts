// App Home's view and the approvals thread's words, built from values.
import { describe, expect, it } from "vitest";
import {
  escalationText,
  mentionAll,
  reminderText,
  voteText,
} from "../../src/slack/approval/thread.js";
import { buildHomeView } from "../../src/slack/home/view.js";
import { DENY, HOME_APPROVE, HOME_CANCEL, HOME_REQUEST } from "../../src/slack/ids.js";
import { sampleRequest } from "../audit/support.js";

const pending = (i: number) => sampleRequest(`RV${i}`, { status: "pending", requesterId: "U0REQ" });
const text = (v: unknown) => JSON.stringify(v);

describe("App Home view", () => {
  it("gives an approver Approve and Deny per waiting request, and the request button", () => {
    const view = buildHomeView({
      waiting: { requests: [pending(1)], total: 1 },
      mine: { open: [], finished: [] },
    });
    expect(view.type).toBe("home");
    const json = text(view.blocks);
    expect(json).toContain(`"action_id":"${HOME_APPROVE}","value":"RV1"`);
    expect(json).toContain(`"action_id":"${DENY}","value":"RV1"`);
    expect(json).toContain(HOME_REQUEST);
    expect(json).not.toContain("Secrets expiring soon");
  });

  it("gives a requester Cancel on pending requests and lists the finished ones", () => {
    const done = sampleRequest("RV9", { status: "denied" });
    const json = text(buildHomeView({ mine: { open: [pending(2)], finished: [done] } }).blocks);
    expect(json).toContain(`"action_id":"${HOME_CANCEL}","value":"RV2"`);
    expect(json).toContain("Last finished");
    expect(json).not.toContain("Waiting for your approval");
  });

  it("shows an administrator expiring secrets, soonest first as given, escaped", () => {
    const json = text(
      buildHomeView({
        mine: { open: [], finished: [] },
        expiring: {
          secrets: [
            {
              clientId: "c-1",
              clientName: "<!channel> app",
              description: "",
              expiration: 1_800_000_000,
            },
          ],
          total: 1,
        },
      }).blocks,
    );
    expect(json).toContain("Secrets expiring soon");
    expect(json).toContain("&lt;!channel&gt; app");
  });

  it("stays within 100 blocks with 150 waiting and 150 open requests, saying how many more", () => {
    const many = Array.from({ length: 150 }, (_, i) => pending(i));
    const view = buildHomeView({
      waiting: { requests: many, total: 150 },
      mine: { open: many, finished: many.slice(0, 10) },
      expiring: {
        secrets: Array.from({ length: 15 }, (_, i) => ({
          clientId: `c${i}`,
          clientName: `n${i}`,
          description: "d",
          expiration: 1_800_000_000 + i,
        })),
        total: 40,
      },
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const json = text(view.blocks);
    expect(json).toContain("and 135 more not shown");
    expect(json).toContain("and 140 more not shown");
    expect(json).toContain("and 25 more not shown");
    const ids = view.blocks.map((b) => b.block_id).filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("approvals thread words", () => {
  it("mentions users one by one and groups as groups", () => {
    expect(mentionAll({ users: ["U0A", "U0B"], groups: ["S0OPS"] })).toBe(
      "<@U0A> <@U0B> <!subteam^S0OPS>",
    );
    expect(reminderText({ users: ["U0B"], groups: [] }, 2)).toMatch(/^<@U0B>: .*reminder 2/);
    expect(escalationText({ users: [], groups: ["S0LEADS"] })).toMatch(/^<!subteam\^S0LEADS>/);
  });

  it("words a vote with its count, and a denial's reason escaped", () => {
    expect(
      voteText({ kind: "approved", userId: "U0A", at: 1_800_000_000_000, count: 1, required: 2 }),
    ).toMatch(/^Approved by <@U0A> \(1 of 2\) · <!date\^1800000000/);
    expect(
      voteText({ kind: "denied", userId: "U0B", at: 1_800_000_000_000, reason: "<!here> no" }),
    ).toMatch(/^Denied by <@U0B>: &lt;!here&gt; no/);
  });
});
