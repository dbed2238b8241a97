// Applying an approved lifecycle request in ADH, and what follows. Every applier is safe to
// run twice (a Retry, a replica taking over, a PUT that ADH applied but answered with an
// error): it reads ADH first and does only what is still missing, and a DELETE that finds
// nothing (404) means an earlier attempt already did it.
import type { HybridClientPatch } from "../adh/client.js";
import type { Announcer } from "./announce.js";
import type { RequestEngine } from "./engine.js";
import {
  APPLIED_EVENT,
  EDITABLE_KEYS,
  editableOf,
  isLifecycleKind,
  sameValue,
} from "./lifecycle.js";
import { type EditableFields, type HybridClientRequest, KIND, type RequestError } from "./model.js";
import type { AdhPort, NotifierPort, SecretTrackerPort } from "./ports.js";

export type LifecycleApplied = "done" | { failed: Omit<RequestError, "at"> };

type Adh = Pick<
  AdhPort,
  "getHybridClient" | "updateHybridClient" | "deleteHybridClient" | "deleteSecret"
>;

/** Does the ADH work of one lifecycle request. */
export async function applyLifecycle(
  adh: Adh,
  request: HybridClientRequest,
): Promise<LifecycleApplied> {
  const { clientId } = request;
  const malformed = { failed: { message: `${request.kind} request without its details` } };
  switch (request.kind) {
    case KIND.edit:
      if (!request.edit) return malformed;
      return applyEdit(adh, clientId, request.edit.before, request.edit.after);
    case KIND.disable:
    case KIND.enable:
      return applyEdit(adh, clientId, {}, { enabled: request.kind === KIND.enable });
    case KIND.deleteClient:
      await adh.deleteHybridClient(clientId);
      return "done";
    case KIND.deleteSecret:
      if (!request.target) return malformed;
      await adh.deleteSecret(clientId, request.target.secretId);
      return "done";
    default:
      throw new Error(`${request.kind} is not a lifecycle kind`);
  }
}

/**
 * Re-reads the client: a field the request changes that ADH now holds with neither the
 * value seen when the form opened nor the one asked for was changed by someone else, and
 * nothing is applied. Fields already at the asked value (an earlier attempt got through)
 * are not sent again; the rest go in one PUT. `before` left empty skips the check
 * (disable/enable ask for one state whatever the current one is).
 */
async function applyEdit(
  adh: Adh,
  clientId: string,
  before: EditableFields,
  after: EditableFields,
): Promise<LifecycleApplied> {
  const client = await adh.getHybridClient(clientId);
  if (!client) return { failed: { code: "no-such-client", message: clientId } };
  const current = editableOf(client);
  const patch: HybridClientPatch = {};
  for (const key of EDITABLE_KEYS) {
    const wanted = after[key];
    if (wanted === undefined || sameValue(current[key], wanted)) continue;
    if (key in before && !sameValue(current[key], before[key])) {
      return { failed: { code: "changed-in-adh", message: key } };
    }
    Object.assign(patch, { [WIRE[key]]: wanted });
  }
  if (Object.keys(patch).length > 0) await adh.updateHybridClient(clientId, patch);
  return "done";
}

/** The form's field names → ADH's. */
const WIRE: Record<(typeof EDITABLE_KEYS)[number], keyof HybridClientPatch> = {
  name: "Name",
  allowOfflineAccess: "AllowOfflineAccess",
  redirectUris: "RedirectUris",
  postLogoutRedirectUris: "PostLogoutRedirectUris",
  accessTokenLifetime: "AccessTokenLifetime",
  enabled: "Enabled",
};

/** creating → created for a kind with nothing to reveal. */
export function markApplied(r: HybridClientRequest, now: number) {
  if (r.status !== "creating" || !isLifecycleKind(r.kind)) {
    return { next: null, refusal: { code: "already-decided" as const, request: r } };
  }
  return { next: { ...r, status: "created" as const, error: null, updatedAt: now } };
}

/**
 * ADH applied it: the request is marked applied, the audit event recorded, tracking of
 * deleted secrets dropped, the requester told and the approvals message refreshed.
 */
export async function finishLifecycle(
  deps: {
    engine: RequestEngine;
    announcer: Announcer;
    notifier: NotifierPort;
    tracker?: SecretTrackerPort;
  },
  request: HybridClientRequest,
): Promise<void> {
  const { engine, tracker } = deps;
  // The applied state and its audit event are one compare-and-set (engine.transition).
  const mark = (r: HybridClientRequest) => markApplied(r, engine.now());
  const applied = isLifecycleKind(request.kind)
    ? await engine.transition(request.id, mark, {
        type: APPLIED_EVENT[request.kind],
        actor: "system",
      })
    : await engine.change(request.id, mark);
  if (!applied.ok) return;
  const done = applied.request;
  if (done.kind === KIND.deleteClient && tracker?.untrackClient) {
    const untrack = tracker.untrackClient.bind(tracker);
    await engine.safely("untrack deleted client", () => untrack(done.clientId));
  }
  if (done.kind === KIND.deleteSecret && done.target && tracker?.untrackSecret) {
    const untrack = tracker.untrackSecret.bind(tracker);
    const { secretId } = done.target;
    await engine.safely("untrack deleted secret", () => untrack(done.clientId, secretId));
  }
  await engine.safely("tell requester", () => deps.notifier.tellRequester(done, "created"));
  await deps.announcer.announce(done, "created");
}
