// The use cases on real Redis with in-memory ADH and notifier ports: what each answers
// is a value or a code (never a sentence), and a failed apply stores a code and a detail.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { KIND, type RequestDraft } from "../../src/requests/model.js";
import { MAX_SECRETS_PER_CLIENT } from "../../src/requests/rotation.js";
import { rotationDraft } from "../../src/requests/submit.js";
import { RequestWorkflow } from "../../src/requests/workflow.js";
import { MemoryAdh, MemoryNotifier } from "../support/memory-ports.js";
import { useCaseStore } from "../support/use-case-rig.js";

const REQUESTER = "UREQUEST01";
const APPROVER = "UAPPROVE01";
const CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

const { store } = useCaseStore("use-cases");

function world() {
  const adh = new MemoryAdh();
  const notifier = new MemoryNotifier();
  /** Email → ADH user; a test removes the requester to fail the check at apply time. */
  const users = new Map([[`${REQUESTER.toLowerCase()}@example.com`, { id: "adh-requester" }]]);
  const workflow = new RequestWorkflow({
    store,
    adh,
    directory: { findUserByEmail: async (email) => users.get(email) ?? null },
    people: {
      emailOf: async (id) => `${id.toLowerCase()}@example.com`,
      isApprover: async (id) => id === APPROVER,
    },
    notifier,
    tracker: { trackMintedSecret: async () => undefined },
    logger: pino({ level: "silent" }),
    approvalsRequired: 1,
    allowSelfApproval: false,
    requestTtlMs: 3_600_000,
  });
  return { adh, notifier, users, workflow };
}

/** An existing client in the in-memory ADH holding `secrets` secrets. */
async function existingClient(adh: MemoryAdh, secrets: number): Promise<void> {
  const created = await adh.createHybridClient({
    Id: CLIENT_ID,
    Name: "Existing app",
    RedirectUris: [],
    PostLogoutRedirectUris: [],
    AccessTokenLifetime: 3600,
    AllowOfflineAccess: false,
    SecretDescription: "first",
    SecretExpirationDate: null,
  });
  if (created.initialSecret) await adh.deleteSecret(CLIENT_ID, created.initialSecret.id);
  for (let i = 0; i < secrets; i++) await adh.addSecret(CLIENT_ID);
}

const rotation = (): RequestDraft => ({
  ...rotationDraft(REQUESTER, {
    clientId: CLIENT_ID,
    clientName: "Existing app",
    reminderChannel: "C0GENERAL1",
  }),
  secret: { description: "rotated", expiration: null },
});

async function settled(id: string) {
  for (let i = 0; i < 400; i++) {
    const stored = await store.get(id);
    if (stored && stored.request.status !== "creating") return stored.request;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`request ${id} did not settle`);
}

describe("submit", () => {
  it("answers a rotation check with codes, and the client's name when it has room", async () => {
    const { adh, workflow } = world();
    expect(await workflow.prepareRotation("not-an-id")).toEqual({
      ok: false,
      refusal: { code: "not-a-client-id" },
    });
    expect(await workflow.prepareRotation(CLIENT_ID)).toEqual({
      ok: false,
      refusal: { code: "no-such-client", clientId: CLIENT_ID },
    });
    await existingClient(adh, MAX_SECRETS_PER_CLIENT);
    // At the limit the form opens, but requires a Replace secret choice (issue 11 item 5).
    expect(await workflow.prepareRotation(CLIENT_ID)).toEqual({
      ok: true,
      clientName: "Existing app",
      replaceRequired: true,
    });
    await adh.deleteSecret(CLIENT_ID, [...adh.clients.get(CLIENT_ID)!.secrets.keys()][0]!);
    expect(await workflow.prepareRotation(CLIENT_ID)).toEqual({
      ok: true,
      clientName: "Existing app",
    });
  });

  it("refuses a requester ADH does not know, with the email looked up", async () => {
    const { users, workflow, notifier } = world();
    users.clear();
    expect(await workflow.submit(rotation())).toEqual({
      ok: false,
      refusal: {
        code: "requester",
        check: { code: "unknown-user", email: `${REQUESTER.toLowerCase()}@example.com` },
      },
    });
    expect(notifier.approvalShows.size).toBe(0);
  });

  it("answers an expired draft with a code and stores nothing", async () => {
    const { workflow, notifier } = world();
    const out = await workflow.submitDraft("no-such-key", REQUESTER, {
      description: "d",
      expiration: null,
    });
    expect(out).toEqual({ ok: false, refusal: { code: "draft-expired" } });
    expect(notifier.approvalShows.size).toBe(0);
  });
});

describe("decide and apply", () => {
  it("a click on a request that does not exist is refused as not-found", async () => {
    const { workflow } = world();
    expect(await workflow.approve("RNOSUCHREQUEST00", APPROVER)).toEqual({
      ok: false,
      refusal: { code: "not-found" },
    });
  });

  it("a rotation approved after the client filled up fails with secret-limit", async () => {
    const { adh, workflow, notifier } = world();
    await existingClient(adh, MAX_SECRETS_PER_CLIENT - 1);
    const submitted = await workflow.submit(rotation());
    if (!submitted.ok) throw new Error(submitted.refusal.code);
    expect(submitted.request.kind).toBe(KIND.rotation);
    await adh.addSecret(CLIENT_ID);
    expect(await workflow.approve(submitted.request.id, APPROVER)).toEqual({ ok: true });
    const failed = await settled(submitted.request.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "secret-limit", message: CLIENT_ID });
    // The requester hears of it after the failure is stored: wait for that work to end.
    expect(await workflow.drain(5_000)).toBe(true);
    expect(notifier.told).toContainEqual({ id: failed.id, event: "failed" });
    expect(notifier.createdDms).not.toContain(failed.id);
  });

  it("a requester gone from ADH by apply time fails with the code and the email", async () => {
    const { adh, users, workflow } = world();
    await existingClient(adh, 1);
    const submitted = await workflow.submit(rotation());
    if (!submitted.ok) throw new Error(submitted.refusal.code);
    users.clear();
    await workflow.approve(submitted.request.id, APPROVER);
    const failed = await settled(submitted.request.id);
    expect(failed.error).toMatchObject({
      code: "requester-unknown-user",
      message: `${REQUESTER.toLowerCase()}@example.com`,
    });
    await workflow.drain(1_000);
  });
});
