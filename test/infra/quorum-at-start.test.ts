// APPROVALS_REQUIRED larger than the number of people who can approve: the bot still
// starts (a user group may gain members) but says so at once, as an error, at start.
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness, until } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const quorumErrors = (logs: string[]) =>
  logs
    .flatMap((l) => l.split("\n"))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.event === "quorum_impossible");

describe("an impossible APPROVALS_REQUIRED at start", () => {
  it("logs one error naming APPROVALS_REQUIRED and the number of distinct approvers", async () => {
    // The harness's APPROVERS are two people.
    h = await startHarness({ env: { APPROVALS_REQUIRED: "3" } });
    const logs = h.logs;
    await until(() => quorumErrors(logs).length > 0, 5_000, "the quorum error");
    const [error] = quorumErrors(logs);
    expect(error).toMatchObject({ level: "error", approvers: 2, required: 3, possible: false });
    expect(error?.msg).toMatch(/APPROVALS_REQUIRED is 3 but only 2 distinct people can approve/);
  });

  it("logs nothing of the kind when the approvers suffice", async () => {
    h = await startHarness({ env: { APPROVALS_REQUIRED: "2" } });
    const logs = h.logs;
    // The check has run once the groups were resolved; with no groups that is at start.
    await until(() => logs.some((l) => l.includes("hybrid-client-bot started")));
    await new Promise((r) => setTimeout(r, 300));
    expect(quorumErrors(logs)).toEqual([]);
  });
});
