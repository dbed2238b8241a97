// Workspace pinning: the bot learns its team from auth.test and serves nobody else. A
// signed request for another team_id, or a click by a user of another organisation
// (Slack Connect: user.team_id differs), is acked and ignored, with a log line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foreignRequest } from "../../src/slack/workspace-pin.js";
import { RequestStore } from "../../src/store/request-store.js";
import {
  approve,
  type Harness,
  requestIdOf,
  SIGNING_SECRET,
  startHarness,
  submitRequest,
  USERS,
} from "../support/harness.js";
import { SlackDriver } from "../support/slack-driver.js";

const OURS = { botUserId: "UBOT", botId: "BBOT", teamId: "T0OURS" };

describe("foreignRequest", () => {
  it("accepts our team and refuses another team or another organisation's user", () => {
    expect(foreignRequest({ team_id: "T0OURS", user_id: "U1" }, OURS)).toBeUndefined();
    expect(foreignRequest({ team: { id: "T0OURS" }, user: { team_id: "T0OURS" } }, OURS)).toBe(
      undefined,
    );
    expect(foreignRequest({ team_id: "T0THEIRS" }, OURS)).toMatchObject({ why: "another team" });
    expect(
      foreignRequest({ team: { id: "T0OURS" }, user: { id: "U9", team_id: "T0THEIRS" } }, OURS),
    ).toMatchObject({ why: "another organisation's user", userTeamId: "T0THEIRS" });
  });

  it("on Enterprise Grid, a sibling workspace of the same organisation is not foreign", () => {
    const grid = { ...OURS, enterpriseId: "E0ORG" };
    expect(foreignRequest({ team_id: "T0SIBLING", enterprise_id: "E0ORG" }, grid)).toBeUndefined();
    expect(
      foreignRequest({ team_id: "T0SIBLING", enterprise_id: "E0ELSEWHERE" }, grid),
    ).toMatchObject({ why: "another team" });
  });
});

describe("the bot pins its workspace", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const driverAs = (opts: { teamId?: string; userTeamId?: string }) =>
    new SlackDriver({
      botUrl: `http://127.0.0.1:${h.bot.port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      slack: h.slack,
      ...opts,
    });

  it("a signed command for another team is acked and ignored: no views.open, a log line", async () => {
    const opens = h.slack.callsTo("views.open").length;
    const res = await driverAs({ teamId: "T0ELSEWHERE" }).command(USERS.requester, "add");
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    // Our own team's command right after: its views.open proves the other had its chance.
    await h.driver.command(USERS.requester, "add");
    await h.slack.waitForCall("views.open", () => true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.callsTo("views.open").length).toBe(opens + 1);
    const line = h.logs.find((l) => l.includes("request from outside our workspace ignored"));
    expect(line).toContain('"teamId":"T0ELSEWHERE"');
  });

  it("an Approve click by a user of another organisation (Slack Connect) approves nothing", async () => {
    const approval = await submitRequest(h);
    const id = requestIdOf(approval);
    const updates = h.slack.callsTo("chat.update").length;
    const res = await approve(
      { driver: driverAs({ userTeamId: "T0GUESTORG" }) },
      USERS.approver1,
      approval,
    );
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.callsTo("chat.update").length).toBe(updates);
    const stored = await new RequestStore(h.bot.redis).get(id);
    expect(stored?.request.status).toBe("pending");
    expect(stored?.request.approvals).toEqual([]);
    expect(h.logs.join("")).toContain('"userTeamId":"T0GUESTORG"');
  });
});
