// Trust boundaries in the use cases (issue 9), on real Redis with the in-memory ports:
// Reveal re-checks the role and has a deadline, a foreign client answered with 409 is never
// adopted, a request past expiresAt cannot be approved, open requests are capped, and a
// non-admin repeating a check costs one ADH role lookup.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { CreateHybridClientInput } from "../../src/adh/client.js";
import { KIND, type RequestDraft } from "../../src/requests/model.js";
import { REVEAL_DEADLINE_MS } from "../../src/requests/reveal.js";
import { RequestWorkflow } from "../../src/requests/workflow.js";
import { withUnrevealed } from "../../src/slack/requester/unrevealed.js";
import { UnrevealedIndex } from "../../src/store/unrevealed-index.js";
import { MemoryAdh, MemoryNotifier } from "../support/memory-ports.js";
import { memoryWorkflowOptions, useCaseStore } from "../support/use-case-rig.js";

const REQUESTER = "UREQUEST01";
const APPROVER = "UAPPROVE01";

const { redis, store } = useCaseStore("trust");

/** The in-memory ADH whose Tenant Administrator answer a test can change, counting lookups. */
class RoleAdh extends MemoryAdh {
  admin = true;
  roleLookups = 0;
  override isTenantAdministrator(): Promise<boolean> {
    this.roleLookups++;
    return Promise.resolve(this.admin);
  }
}

function world(opts: { maxOpen?: number } = {}) {
  const adh = new RoleAdh();
  const notifier = new MemoryNotifier();
  const clock = { now: Date.parse("2026-06-01T10:00:00Z") };
  const workflow = new RequestWorkflow({
    ...memoryWorkflowOptions({ store, adh, notifier, approver: APPROVER }),
    maxOpenRequestsPerUser: opts.maxOpen,
    unrevealed: new UnrevealedIndex(redis),
    now: () => clock.now,
  });
  return { adh, notifier, clock, workflow };
}

const newClient = (clientId = randomUUID()): RequestDraft => ({
  kind: KIND.newClient,
  requesterId: REQUESTER,
  reason: "plant A",
  clientId,
  reminderChannel: "C0GENERAL1",
  client: {
    name: "Plant A gateway",
    allowOfflineAccess: false,
    redirectUris: ["https://app.example.com/callback"],
    postLogoutRedirectUris: [],
    accessTokenLifetime: 3600,
  },
  secret: { description: "first", expiration: "2027-06-01T23:59:59.000Z" },
});

const createInput = (d: RequestDraft, changes: Partial<CreateHybridClientInput> = {}) => ({
  Id: d.clientId ?? "",
  Name: d.client.name,
  RedirectUris: d.client.redirectUris,
  PostLogoutRedirectUris: d.client.postLogoutRedirectUris,
  AccessTokenLifetime: d.client.accessTokenLifetime,
  AllowOfflineAccess: d.client.allowOfflineAccess,
  SecretDescription: "theirs",
  SecretExpirationDate: null,
  ...changes,
});

async function settled(id: string) {
  for (let i = 0; i < 400; i++) {
    const stored = await store.get(id);
    if (stored && stored.request.status !== "creating") return stored.request;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`request ${id} did not settle`);
}

/** A new client submitted, approved and created: its Reveal button is ready. */
async function createdRequest(w: ReturnType<typeof world>) {
  const submitted = await w.workflow.submit(newClient());
  if (!submitted.ok) throw new Error(submitted.refusal.code);
  expect(await w.workflow.approve(submitted.request.id, APPROVER)).toEqual({ ok: true });
  const created = await settled(submitted.request.id);
  expect(created).toMatchObject({ status: "created", reveal: "ready" });
  await w.workflow.drain(5_000);
  return created;
}

describe("Reveal", () => {
  it("a requester whose administrator role was removed after approval gets no secret", async () => {
    const w = world();
    const created = await createdRequest(w);
    w.adh.admin = false;
    const out = await w.workflow.reveal(created.id, REQUESTER);
    expect(out).toEqual({ ok: false, requesterRefused: { code: "not-admin" } });
    expect(w.adh.mintCalls).toBe(0);
    expect(w.adh.clients.get(created.clientId)?.secrets.size).toBe(0);
    // Nothing was claimed: once the role is back, the same button works.
    expect((await store.get(created.id))?.request.reveal).toBe("ready");
  });

  it("checks the role at the click itself, not from an earlier positive answer", async () => {
    const w = world();
    const created = await createdRequest(w);
    const before = w.adh.roleLookups;
    const out = await w.workflow.reveal(created.id, REQUESTER);
    expect(out.ok).toBe(true);
    expect(w.adh.roleLookups).toBe(before + 1);
  });

  it("after 7 days the button mints nothing, and status shows the secret never revealed", async () => {
    const w = world();
    const created = await createdRequest(w);
    expect((await w.workflow.unrevealedOf(REQUESTER)).map((r) => r.id)).toContain(created.id);
    w.clock.now += REVEAL_DEADLINE_MS + 1;
    const out = await w.workflow.reveal(created.id, REQUESTER);
    expect(out).toMatchObject({ ok: false, revealExpired: { clientId: created.clientId } });
    expect(w.adh.mintCalls).toBe(0);
    expect((await store.get(created.id))?.request.reveal).toBe("ready");
    const unrevealed = await w.workflow.unrevealedOf(REQUESTER);
    const status = JSON.stringify(
      withUnrevealed({ text: "", blocks: [] }, unrevealed, w.clock.now),
    );
    expect(status).toContain(created.clientId);
    expect(status).toContain("Reveal button expired");
  });

  it("a revealed secret leaves the status list", async () => {
    const w = world();
    const created = await createdRequest(w);
    expect((await w.workflow.reveal(created.id, REQUESTER)).ok).toBe(true);
    expect((await w.workflow.unrevealedOf(REQUESTER)).map((r) => r.id)).not.toContain(created.id);
  });
});

describe("409 on create", () => {
  it("a client someone pre-created under the Id is not adopted: no secret, visible failure", async () => {
    const w = world();
    const draft = newClient();
    // Someone else's client, same Id and name, their own redirect URI.
    await w.adh.createHybridClient(
      createInput(draft, { RedirectUris: ["https://attacker.example/cb"] }),
    );
    const theirs = [...(w.adh.clients.get(draft.clientId ?? "")?.secrets.keys() ?? [])];
    const submitted = await w.workflow.submit(draft);
    if (!submitted.ok) throw new Error(submitted.refusal.code);
    await w.workflow.approve(submitted.request.id, APPROVER);
    const failed = await settled(submitted.request.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "foreign-client" });
    expect(w.adh.mintCalls).toBe(0);
    // Their secrets are untouched and no Reveal DM went out.
    expect([...(w.adh.clients.get(draft.clientId ?? "")?.secrets.keys() ?? [])]).toEqual(theirs);
    expect(w.notifier.createdDms).not.toContain(failed.id);
    await w.workflow.drain(5_000);
  });

  it("a 409 on the first attempt is not adopted even when every field matches", async () => {
    const w = world();
    const draft = newClient();
    await w.adh.createHybridClient(createInput(draft));
    const submitted = await w.workflow.submit(draft);
    if (!submitted.ok) throw new Error(submitted.refusal.code);
    await w.workflow.approve(submitted.request.id, APPROVER);
    expect((await settled(submitted.request.id)).error).toMatchObject({ code: "foreign-client" });
    expect(w.adh.clients.get(draft.clientId ?? "")?.secrets.size).toBe(1);
    await w.workflow.drain(5_000);
  });

  it("a Retry after a create that may have been applied adopts the client when it matches", async () => {
    let fault: "ok" | "apply-then-fail" = "apply-then-fail";
    const w = world();
    const adh = new RoleAdh(() => fault);
    const workflow = new RequestWorkflow({
      store,
      adh,
      directory: { findUserByEmail: async () => ({ id: "adh-requester" }) },
      people: {
        emailOf: async (id) => `${id}@example.com`,
        isApprover: async (id) => id === APPROVER,
      },
      notifier: w.notifier,
      tracker: { trackMintedSecret: async () => undefined },
      logger: pino({ level: "silent" }),
      approvalsRequired: 1,
      allowSelfApproval: false,
      requestTtlMs: 3_600_000,
    });
    const submitted = await workflow.submit(newClient());
    if (!submitted.ok) throw new Error(submitted.refusal.code);
    // Every call is applied then answered 500: the create fails but the client exists.
    await workflow.approve(submitted.request.id, APPROVER);
    expect((await settled(submitted.request.id)).status).toBe("failed");
    fault = "ok";
    expect(await workflow.retry(submitted.request.id, APPROVER)).toEqual({ ok: true });
    const done = await settled(submitted.request.id);
    expect(done).toMatchObject({ status: "created", reveal: "ready" });
    await workflow.drain(5_000);
  });
});

describe("approve", () => {
  it("a request past its expiresAt is not approved, even before the expiry timer ran", async () => {
    const w = world();
    const submitted = await w.workflow.submit(newClient());
    if (!submitted.ok) throw new Error(submitted.refusal.code);
    w.clock.now = submitted.request.expiresAt + 1;
    const out = await w.workflow.approve(submitted.request.id, APPROVER);
    expect(out).toMatchObject({ ok: false, refusal: { code: "already-decided" } });
    const stored = await store.get(submitted.request.id);
    expect(stored?.request.status).toBe("expired");
    expect(stored?.request.approvals).toEqual([]);
    expect(w.adh.clients.size).toBe(0);
    await w.workflow.drain(5_000);
  });
});

describe("caps", () => {
  it("MAX_OPEN_REQUESTS_PER_USER refuses the next request, naming the limit", async () => {
    const w = world({ maxOpen: 2 });
    // A requester of their own, so other tests' open requests do not count.
    const me = `UCAP${randomUUID().slice(0, 6).toUpperCase()}`;
    const mine = () => ({ ...newClient(), requesterId: me });
    expect((await w.workflow.submit(mine())).ok).toBe(true);
    expect((await w.workflow.submit(mine())).ok).toBe(true);
    const third = await w.workflow.submit(mine());
    expect(third).toEqual({ ok: false, refusal: { code: "too-many-open", limit: 2 } });
    expect(await w.workflow.openRequestsOf(me)).toHaveLength(2);
  });

  it("a non-admin asking again within a minute costs one ADH role lookup", async () => {
    const w = world();
    w.adh.admin = false;
    for (let i = 0; i < 10; i++) {
      expect(await w.workflow.checkRequesterForForm(REQUESTER)).toEqual({
        ok: false,
        code: "not-admin",
      });
    }
    expect(w.adh.roleLookups).toBe(1);
    // After the minute, ADH is asked again (a role granted meanwhile is seen).
    w.clock.now += 61_000;
    w.adh.admin = true;
    expect(await w.workflow.checkRequesterForForm(REQUESTER)).toEqual({
      ok: true,
      adhUserId: expect.any(String),
    });
    expect(w.adh.roleLookups).toBe(2);
  });
});
