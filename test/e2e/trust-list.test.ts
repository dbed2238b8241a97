// `/hybrid-client list` end to end (issue 9): Tenant Administrators only, and the tenant
// read once however many ask at once (a cache every replica shares).
import { describe, expect, it } from "vitest";
import { USERS } from "../support/harness.js";
import { useHarness } from "../support/use-harness.js";

const CLIENTS = 50;
const ids: string[] = [];

const h = useHarness({}, (harness) => {
  for (let i = 0; i < CLIENTS; i++) {
    const { id } = harness.adh.addClient({ Name: `trust-client-${i}` }, [
      { description: `key ${i}`, expiration: "2027-01-01T00:00:00Z" },
    ]);
    ids.push(id);
  }
});

/** Runs `list` as `user` and returns what its response_url received after the ack. */
async function list(user: string): Promise<string> {
  const sent = await h.driver.command(user, "list");
  expect(sent.status).toBe(200);
  const answer = await h.slack.waitForResponse((r) => r.url === sent.responseUrl, 15_000);
  return JSON.stringify(answer.body);
}

const adhReads = () =>
  h.adh.callsTo("GET /HybridClients").length +
  h.adh.callsTo("GET /HybridClients/:id/Secrets").length;

describe("/hybrid-client list", () => {
  it("a workspace member who is not a Tenant Administrator sees no client and costs no ADH read", async () => {
    const text = await list(USERS.member);
    expect(text).toContain("Tenant Administrators only");
    expect(text).not.toContain("trust-client");
    for (const id of ids) expect(text).not.toContain(id);
    expect(adhReads()).toBe(0);
  });

  it("a user with no ADH account sees no client and costs no ADH read", async () => {
    const text = await list(USERS.outsider);
    expect(text).toContain("Tenant Administrators only");
    expect(text).not.toContain("trust-client");
    for (const id of ids) expect(text).not.toContain(id);
    expect(adhReads()).toBe(0);
  });

  it("five lists within seconds on a 50-client tenant make one round of ADH reads", async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => list(USERS.requester)));
    for (const text of answers) expect(text).toContain(`${CLIENTS} clients`);
    // One page of clients and one secrets call per client, once, for all five.
    expect(h.adh.callsTo("GET /HybridClients")).toHaveLength(1);
    expect(h.adh.callsTo("GET /HybridClients/:id/Secrets")).toHaveLength(CLIENTS);
  });

  it("says how many clients exist when it shows fewer", async () => {
    const text = await list(USERS.requester);
    expect(text).toContain(`and ${CLIENTS - 40} more clients`);
  });
});
