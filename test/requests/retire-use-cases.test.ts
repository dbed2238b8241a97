import { afterAll, describe, expect, it } from "vitest";
import type { HybridClientRequest } from "../../src/requests/model.js";
import { RETIRE_REMINDER_MS } from "../../src/requests/retire.js";
import { rotationDraft } from "../../src/requests/submit.js";
import { RequestWorkflow } from "../../src/requests/workflow.js";
import { closeRedis } from "../../src/store/redis.js";
import { RequestStore } from "../../src/store/request-store.js";
import { RetirementStore } from "../../src/store/retirements.js";
import { MemoryAdh, MemoryNotifier } from "../support/memory-ports.js";
import { deletePrefix, testPrefix, testRedis } from "../support/redis.js";
import { memoryWorkflowOptions } from "../support/use-case-rig.js";

const REQUESTER = "UREQUEST01";
const APPROVER = "UAPPROVE01";
const CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3302";

const prefix = testPrefix("retire");
const redis = testRedis(prefix);
const store = new RequestStore(redis);
const retirements = new RetirementStore(redis);

afterAll(async () => {
  await closeRedis(redis);
  await deletePrefix(prefix);
});

class RemindingNotifier extends MemoryNotifier {
  readonly reminded: string[] = [];
  async remindRetire(r: HybridClientRequest): Promise<void> {
    this.reminded.push(r.id);
  }
}

function world(adh = new MemoryAdh(), clock: { t: number } = { t: Date.now() }) {
  const notifier = new RemindingNotifier();
  const untracked: string[] = [];
  const deletes: number[] = [];
  const deleteSecret = adh.deleteSecret.bind(adh);
  adh.deleteSecret = async (clientId, secretId) => {
    deletes.push(secretId);
    await deleteSecret(clientId, secretId);
  };
  const workflow = new RequestWorkflow({
    ...memoryWorkflowOptions({ store, adh, notifier, approver: APPROVER }),
    tracker: {
      trackMintedSecret: async () => undefined,
      untrackSecret: async (id, secretId) => void untracked.push(`${id}/${secretId}`),
    },
    retirements,
    now: () => clock.t,
  });
  return { adh, notifier, workflow, untracked, deletes, clock };
}

function clientWith(adh: MemoryAdh, secretIds: number[]) {
  adh.clients.set(CLIENT_ID, {
    client: {
      Id: CLIENT_ID,
      Name: "app",
      Enabled: true,
      RedirectUris: [],
      PostLogoutRedirectUris: [],
      AccessTokenLifetime: 3600,
    },
    secrets: new Map(secretIds.map((id) => [id, `s${id}`])),
  });
}

async function settled(id: string) {
  for (let i = 0; i < 400; i++) {
    const stored = await store.get(id);
    if (stored && stored.request.reveal === "ready") return stored.request;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("not ready to reveal");
}

/** Submits a rotation replacing `replace`, approves it and waits for its Reveal button. */
async function approvedRotation(w: ReturnType<typeof world>, replace?: number) {
  const check = await w.workflow.prepareRotation(CLIENT_ID);
  if (!check.ok) throw new Error("rotation refused");
  const key = `k${Math.random()}`;
  await w.workflow.saveDraft(
    key,
    rotationDraft(REQUESTER, {
      clientId: CLIENT_ID,
      clientName: check.clientName,
      reminderChannel: "C1",
      replaceChoices: await w.workflow.replaceChoices(CLIENT_ID),
      replaceRequired: check.replaceRequired,
    }),
  );
  const secret = { description: "new", expiration: null };
  const submitted = await w.workflow.submitDraft(key, REQUESTER, secret, replace);
  if (!submitted.ok) return submitted;
  expect(await w.workflow.approve(submitted.request.id, APPROVER)).toEqual({ ok: true });
  return { ok: true as const, request: await settled(submitted.request.id) };
}

describe("rotation that retires the old secret", () => {
  it("two presses at once delete the old secret once; others and early presses are refused", async () => {
    const w = world();
    clientWith(w.adh, [101, 102]);
    const approved = await approvedRotation(w, 101);
    if (!approved.ok) throw new Error("not submitted");
    const id = approved.request.id;
    expect(approved.request).toMatchObject({
      retire: { secretId: 101, first: false },
    });
    expect(await w.workflow.deleteOldSecret(id, REQUESTER)).toEqual({
      ok: false,
      refusal: { code: "not-revealed" },
    });
    const revealed = await w.workflow.reveal(id, REQUESTER);
    expect(revealed.ok).toBe(true);
    expect(await w.workflow.deleteOldSecret(id, APPROVER)).toEqual({
      ok: false,
      refusal: { code: "not-requester" },
    });
    const presses = await Promise.all([
      w.workflow.deleteOldSecret(id, REQUESTER),
      w.workflow.deleteOldSecret(id, REQUESTER),
    ]);
    expect(presses.filter((p) => p.ok)).toHaveLength(1);
    expect(presses.find((p) => !p.ok)).toMatchObject({
      refusal: { code: expect.stringMatching(/in-progress|already-deleted/) },
    });
    expect(w.deletes).toEqual([101]);
    expect([...w.adh.clients.get(CLIENT_ID)!.secrets.keys()]).not.toContain(101);
    expect(w.untracked).toEqual([`${CLIENT_ID}/101`]);
    expect((await store.get(id))?.request).toMatchObject({ retiredAt: w.clock.t });
    expect(await w.workflow.deleteOldSecret(id, REQUESTER)).toMatchObject({
      ok: false,
      refusal: { code: "already-deleted" },
    });
    expect(w.deletes).toEqual([101]);
  });

  it("a rotation without a choice retires nothing, as rotations stored before item 5 do", async () => {
    const w = world();
    clientWith(w.adh, [201]);
    const approved = await approvedRotation(w);
    if (!approved.ok) throw new Error("not submitted");
    expect(approved.request).not.toHaveProperty("retire");
    await w.workflow.reveal(approved.request.id, REQUESTER);
    expect(await w.workflow.deleteOldSecret(approved.request.id, REQUESTER)).toEqual({
      ok: false,
      refusal: { code: "nothing-to-retire" },
    });
  });

  it("the 7-day reminder is taken by exactly one of two replicas, and not before", async () => {
    const adh = new MemoryAdh();
    const clock = { t: Date.now() };
    const a = world(adh, clock);
    const b = world(adh, clock);
    clientWith(adh, [301, 302]);
    const approved = await approvedRotation(a, 301);
    if (!approved.ok) throw new Error("not submitted");
    await a.workflow.reveal(approved.request.id, REQUESTER);
    clock.t += RETIRE_REMINDER_MS - 1_000;
    expect(await a.workflow.remindRetirements()).toBe(0);
    clock.t += 2_000;
    const sent = await Promise.all([
      a.workflow.remindRetirements(),
      b.workflow.remindRetirements(),
      a.workflow.remindRetirements(),
      b.workflow.remindRetirements(),
    ]);
    expect(sent.reduce((x, y) => x + y, 0)).toBe(1);
    expect([...a.notifier.reminded, ...b.notifier.reminded]).toEqual([approved.request.id]);
    clock.t += RETIRE_REMINDER_MS;
    expect(await a.workflow.remindRetirements()).toBe(0);
  });

  it("a pressed Delete old secret cancels the reminder", async () => {
    const w = world();
    clientWith(w.adh, [401, 402]);
    const approved = await approvedRotation(w, 402);
    if (!approved.ok) throw new Error("not submitted");
    await w.workflow.reveal(approved.request.id, REQUESTER);
    expect((await w.workflow.deleteOldSecret(approved.request.id, REQUESTER)).ok).toBe(true);
    w.clock.t += 2 * RETIRE_REMINDER_MS;
    expect(await w.workflow.remindRetirements()).toBe(0);
    expect(w.notifier.reminded).toEqual([]);
  });

  it("at ADH's limit: the choice is required, the applier deletes first, the reveal mints", async () => {
    const w = world();
    const ids = Array.from({ length: 10 }, (_, i) => 501 + i);
    clientWith(w.adh, ids);
    expect(await w.workflow.prepareRotation(CLIENT_ID)).toMatchObject({ replaceRequired: true });
    expect(await approvedRotation(w)).toEqual({
      ok: false,
      refusal: { code: "replace-required" },
    });
    const approved = await approvedRotation(w, 505);
    if (!approved.ok) throw new Error("not submitted");
    expect(approved.request).toMatchObject({ retire: { secretId: 505, first: true } });
    expect(w.deletes).toEqual([505]);
    expect(w.adh.clients.get(CLIENT_ID)!.secrets.size).toBe(9);
    // The press is not offered: the deletion already happened at approval.
    await w.workflow.reveal(approved.request.id, REQUESTER);
    expect(w.adh.clients.get(CLIENT_ID)!.secrets.size).toBe(10);
    expect(await w.workflow.deleteOldSecret(approved.request.id, REQUESTER)).toMatchObject({
      ok: false,
      refusal: { code: "nothing-to-retire" },
    });
  });
});
