// The `list` read model (issue 9): the whole tenant is read (no silent cut at 200 clients),
// and the cache shared through Redis lets one replica read while the others wait for it.
import { afterAll, describe, expect, it } from "vitest";
import { type CatalogSource, ClientCatalog } from "../../src/adh/client-catalog.js";
import { buildClientList } from "../../src/slack/client-list/message.js";
import { ListCache } from "../../src/store/list-cache.js";
import { closeRedis } from "../../src/store/redis.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";

const prefix = testPrefix("trust-list");
const replicaA = testRedis(prefix);
const replicaB = testRedis(prefix);

afterAll(async () => {
  await Promise.all([closeRedis(replicaA), closeRedis(replicaB)]);
  await deletePrefix(prefix);
});

/** A tenant of `n` clients, one secret each, counting the reads. */
function tenant(n: number) {
  const reads = { pages: 0, secrets: 0 };
  const source: CatalogSource = {
    async listHybridClientsPage(skip, count) {
      reads.pages++;
      const items = Array.from({ length: Math.max(0, Math.min(count, n - skip)) }, (_, i) => ({
        Id: `00000000-0000-0000-0000-${String(skip + i).padStart(12, "0")}`,
        Name: `client ${skip + i}`,
        RedirectUris: [],
        PostLogoutRedirectUris: [],
      }));
      return { items, total: n };
    },
    async listSecrets() {
      reads.secrets++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      return [{ Id: 1, Description: "k", Expiration: "2030-01-01T00:00:00Z", Expires: true }];
    },
  };
  return { source, reads };
}

describe("the client list", () => {
  it("reads every client of a tenant past 200, and says how many exist when fewer are shown", async () => {
    const { source } = tenant(250);
    const { entries, total } = await new ClientCatalog(source).list();
    expect(entries).toHaveLength(250);
    expect(total).toBe(250);
    const text = JSON.stringify(buildClientList(entries, Date.now(), total));
    expect(text).toContain("250 clients");
    expect(text).toContain("and 210 more clients");
  });

  it("two replicas asking at once read the tenant once, and the next ask within the minute reads nothing", async () => {
    const { source, reads } = tenant(30);
    let now = Date.now();
    const clock = () => now;
    const a = new ClientCatalog(source, {
      cache: new ListCache(replicaA, { now: clock, pollMs: 5 }),
    });
    const b = new ClientCatalog(source, {
      cache: new ListCache(replicaB, { now: clock, pollMs: 5 }),
    });
    const answers = await Promise.all([a.list(), b.list(), a.list(), b.list(), a.list()]);
    for (const answer of answers) expect(answer.entries).toHaveLength(30);
    expect(reads).toEqual({ pages: 1, secrets: 30 });
    // Served from Redis while fresh (the key expires after 60 s on Redis' own clock).
    now += 1_000;
    await b.list();
    expect(reads.secrets).toBe(30);
  });
});
