import { describe, expect, it } from "vitest";
import { REVEAL } from "../../src/slack/ids.js";
import {
  approve,
  leakSearch,
  messageTs,
  submitRequest,
  USERS,
  waitForRevealDm,
} from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const h = useHarness();

describe("request → approve → create → reveal once", () => {
  it("creates exactly one client and hands its secret to the requester once", async () => {
    const approval = await submitRequest(h);
    expect(JSON.stringify(approval.args.blocks)).toContain("inventory-app");

    const click = await approve(h, USERS.approver1, approval);
    expect(click.status).toBe(200);

    const dm = await waitForRevealDm(h, approval);
    const clients = h.adh.clients().filter((c) => c.Name === "inventory-app");
    expect(clients).toHaveLength(1);
    const clientId = clients[0]!.Id;
    // The initial secret from the create call was deleted unseen.
    expect(h.adh.secretsOf(clientId)).toHaveLength(0);

    const reveal = await h.driver.clickButton(
      USERS.requester,
      { actionId: REVEAL },
      { channel: String(dm.response.channel), messageTs: messageTs(dm) },
    );
    expect(reveal.status).toBe(200);
    const answer = await h.slack.waitForResponse((r) => JSON.stringify(r.body).includes(clientId));
    expect(answer.body).toMatchObject({ response_type: "ephemeral" });
    const shown = h.adh.issuedSecrets.filter((s) => JSON.stringify(answer.body).includes(s));
    expect(shown).toHaveLength(1);
    expect(h.adh.secretWorks(clientId, shown[0]!)).toBe(true);
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);

    // The DM no longer offers the button; a second click explains instead of minting.
    const updated = await h.slack.waitForCall("chat.update", (c) => c.args.ts === messageTs(dm));
    expect(JSON.stringify(updated.args.blocks)).not.toContain(REVEAL);
    const again = await h.driver.clickButton(
      USERS.requester,
      {
        actionId: REVEAL,
        blockId: "stale",
        value: String(
          (dm.args.blocks as { elements?: { value?: string }[] }[])
            .flatMap((b) => b.elements ?? [])
            .find((e) => e.value)?.value,
        ),
      },
      { channel: String(dm.response.channel), messageTs: messageTs(dm) },
    );
    expect(again.status).toBe(200);
    await h.slack.waitForResponse((r) => JSON.stringify(r.body).includes("already revealed"));
    expect(h.adh.secretsOf(clientId)).toHaveLength(1);

    expect(await leakSearch(h)).toEqual([]);
  });
});
