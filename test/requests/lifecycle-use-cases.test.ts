import { describe, expect, it } from "vitest";
import { diffEdit, editableOf } from "../../src/requests/lifecycle.js";
import { applyLifecycle } from "../../src/requests/lifecycle-apply.js";
import { HybridClientRequest, KIND } from "../../src/requests/model.js";
import { RequestWorkflow } from "../../src/requests/workflow.js";
import { MemoryAdh, MemoryNotifier } from "../support/memory-ports.js";
import { memoryWorkflowOptions, useCaseStore } from "../support/use-case-rig.js";

const REQUESTER = "UREQUEST01";
const APPROVER = "UAPPROVE01";
const CLIENT_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

const { store } = useCaseStore("lifecycle");

function world(fault: () => "ok" | "fail" | "apply-then-fail" = () => "ok") {
  const adh = new MemoryAdh(fault);
  const notifier = new MemoryNotifier();
  const untracked: string[] = [];
  const workflow = new RequestWorkflow({
    ...memoryWorkflowOptions({ store, adh, notifier, approver: APPROVER }),
    tracker: {
      trackMintedSecret: async () => undefined,
      untrackClient: async (id) => void untracked.push(`client ${id}`),
      untrackSecret: async (id, secretId) => void untracked.push(`secret ${id}/${secretId}`),
    },
  });
  adh.clients.set(CLIENT_ID, {
    client: {
      Id: CLIENT_ID,
      Name: "app",
      Enabled: true,
      RedirectUris: ["https://a.example.com/cb"],
      PostLogoutRedirectUris: ["https://a.example.com/bye"],
      AccessTokenLifetime: 3600,
    },
    secrets: new Map([
      [1, "s1"],
      [2, "s2"],
    ]),
  });
  return { adh, notifier, workflow, untracked };
}

async function settled(id: string) {
  for (let i = 0; i < 400; i++) {
    const stored = await store.get(id);
    if (stored && stored.request.status !== "creating") return stored.request;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("still creating");
}

describe("lifecycle forms", () => {
  it("refuses with codes: not an id, unknown client, unknown secret, already disabled", async () => {
    const { workflow, adh } = world();
    const open = (
      kind: Parameters<typeof workflow.lifecycle.open>[1]["kind"],
      id: string,
      s?: number,
    ) =>
      workflow.lifecycle.open(`k-${Math.random()}`, {
        kind,
        requesterId: REQUESTER,
        channelId: "C0GENERAL1",
        clientId: id,
        ...(s !== undefined ? { secretId: s } : {}),
      });
    expect(await open(KIND.edit, "<!channel>")).toMatchObject({
      refusal: { code: "not-a-client-id" },
    });
    expect(await open(KIND.edit, "3f2504e0-4f89-11d3-9a0c-0305e82c3399")).toMatchObject({
      refusal: { code: "no-such-client" },
    });
    expect(await open(KIND.deleteSecret, CLIENT_ID, 99)).toMatchObject({
      refusal: { code: "no-such-secret" },
    });
    expect(await open(KIND.enable, CLIENT_ID)).toMatchObject({
      refusal: { code: "already", enabled: true },
    });
    adh.clients.get(CLIENT_ID)!.client.Enabled = false;
    expect(await open(KIND.disable, CLIENT_ID)).toMatchObject({
      refusal: { code: "already", enabled: false },
    });
  });

  it("an edit keeps only the changed fields; nothing changed and a wrong name are inline refusals", async () => {
    const { workflow } = world();
    const key = "edit-key";
    await workflow.lifecycle.open(key, {
      kind: KIND.edit,
      requesterId: REQUESTER,
      channelId: "C0GENERAL1",
      clientId: CLIENT_ID,
    });
    const current = {
      name: "app",
      allowOfflineAccess: false,
      redirectUris: ["https://a.example.com/cb"],
      postLogoutRedirectUris: ["https://a.example.com/bye"],
      accessTokenLifetime: 3600,
      enabled: true,
    };
    expect(
      await workflow.lifecycle.submit(key, REQUESTER, { reason: "r", edit: current }),
    ).toMatchObject({ ok: false, refusal: { code: "nothing-changed" }, inline: true });
    // Someone else's form key is not theirs to submit.
    expect(
      await workflow.lifecycle.submit(key, APPROVER, {
        reason: "r",
        edit: { ...current, name: "x" },
      }),
    ).toMatchObject({ ok: false, refusal: { code: "draft-expired" } });
    const submitted = await workflow.lifecycle.submit(key, REQUESTER, {
      reason: "r",
      edit: { ...current, postLogoutRedirectUris: [] },
    });
    expect(submitted.ok).toBe(true);
    if (!submitted.ok) return;
    expect(submitted.request.kind).toBe(KIND.edit);
    expect(submitted.request.kind === KIND.edit && submitted.request.edit).toEqual({
      before: { postLogoutRedirectUris: ["https://a.example.com/bye"] },
      after: { postLogoutRedirectUris: [] },
    });
    // Stored requests parse back with their kind's fields.
    const stored = await store.get(submitted.request.id);
    expect(HybridClientRequest.parse(stored!.request)).toMatchObject({
      edit: { after: { postLogoutRedirectUris: [] } },
    });

    const delKey = "delete-key";
    await workflow.lifecycle.open(delKey, {
      kind: KIND.deleteClient,
      requesterId: REQUESTER,
      channelId: "C0GENERAL1",
      clientId: CLIENT_ID,
    });
    expect(
      await workflow.lifecycle.submit(delKey, REQUESTER, { reason: "r", confirmName: "ap" }),
    ).toMatchObject({ ok: false, refusal: { code: "name-mismatch" } });
  });

  it("diffEdit: URL order and each field compared; null when equal", () => {
    const base = editableOf({
      Id: CLIENT_ID,
      Name: "a",
      RedirectUris: ["x", "y"],
      PostLogoutRedirectUris: [],
    });
    expect(diffEdit(base, { ...base })).toBeNull();
    expect(diffEdit(base, { ...base, redirectUris: ["y", "x"] })).toEqual({
      before: { redirectUris: ["x", "y"] },
      after: { redirectUris: ["y", "x"] },
    });
  });
});

describe("lifecycle appliers", () => {
  it("approve → applied: the change in ADH, the requester told, reminders dropped", async () => {
    const { workflow, adh, notifier, untracked } = world();
    for (const [kind, secretId] of [
      [KIND.deleteSecret, 2],
      [KIND.disable, undefined],
      [KIND.deleteClient, undefined],
    ] as const) {
      const key = `apply-${kind}`;
      await workflow.lifecycle.open(key, {
        kind,
        requesterId: REQUESTER,
        channelId: "C0GENERAL1",
        clientId: CLIENT_ID,
        ...(secretId !== undefined ? { secretId } : {}),
      });
      const submitted = await workflow.lifecycle.submit(key, REQUESTER, {
        reason: "r",
        confirmName: "app",
      });
      if (!submitted.ok) throw new Error(JSON.stringify(submitted));
      expect(await workflow.approve(submitted.request.id, APPROVER)).toEqual({ ok: true });
      expect((await settled(submitted.request.id)).status).toBe("created");
    }
    expect(adh.clients.has(CLIENT_ID)).toBe(false);
    expect(untracked).toEqual([`secret ${CLIENT_ID}/2`, `client ${CLIENT_ID}`]);
    expect(notifier.told.filter((t) => t.event === "created")).toHaveLength(3);
  });

  it("a PUT that ADH applied but answered 500 is not repeated when retried; a conflict applies nothing", async () => {
    const { adh } = world();
    const request = (before: object, after: object) =>
      HybridClientRequest.parse({
        id: "R1",
        kind: KIND.edit,
        status: "creating",
        requesterId: REQUESTER,
        reason: "r",
        clientId: CLIENT_ID,
        client: {
          name: "app",
          allowOfflineAccess: false,
          redirectUris: [],
          postLogoutRedirectUris: [],
          accessTokenLifetime: 3600,
        },
        secret: { description: "", expiration: null },
        reminderChannel: "C1",
        createdAt: 1,
        expiresAt: 2,
        approvalsRequired: 1,
        approvals: [],
        reveal: "none",
        updatedAt: 1,
        edit: { before, after },
      });
    const r = request({ name: "app" }, { name: "app-2" });
    expect(await applyLifecycle(adh, r)).toBe("done");
    const puts = () => adh.clients.get(CLIENT_ID)!.client.Name;
    expect(puts()).toBe("app-2");
    // Run again (a Retry after a lost answer): already at the asked value, nothing sent.
    let sent = 0;
    const counting = {
      ...adh,
      getHybridClient: adh.getHybridClient.bind(adh),
      deleteSecret: adh.deleteSecret.bind(adh),
      deleteHybridClient: adh.deleteHybridClient.bind(adh),
      updateHybridClient: async (...args: Parameters<MemoryAdh["updateHybridClient"]>) => {
        sent++;
        return adh.updateHybridClient(...args);
      },
    };
    expect(await applyLifecycle(counting, r)).toBe("done");
    expect(sent).toBe(0);
    // Changed in the portal to a third value meanwhile: nothing applied.
    adh.clients.get(CLIENT_ID)!.client.Name = "portal";
    expect(await applyLifecycle(counting, request({ name: "app-2" }, { name: "app-3" }))).toEqual({
      failed: { code: "changed-in-adh", message: "name" },
    });
    expect(sent).toBe(0);
    expect(puts()).toBe("portal");
  });
});
