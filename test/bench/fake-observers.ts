// What the benchmark reads off the fakes: when the background work a run started is
// over, and when each request's "Client created" DM (the one with Reveal) arrived.
import { setTimeout as sleep } from "node:timers/promises";
import { REVEAL } from "../../src/slack/ids.js";
import type { FakeAdh } from "../fakes/adh.js";
import type { FakeSlack, RecordedCall } from "../fakes/slack.js";
import { USERS } from "../support/harness.js";

/** Resolves once neither fake has seen a call for `quietMs` (bounded by `maxMs`). */
export async function settle(
  slack: FakeSlack,
  adh: FakeAdh,
  quietMs = 500,
  maxMs = 120_000,
): Promise<void> {
  const seen = () => slack.calls.length + slack.responses.length + adh.calls.length;
  const deadline = performance.now() + maxMs;
  let last = seen();
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    await sleep(100);
    const now = seen();
    if (now !== last) {
      last = now;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= quietMs) {
      return;
    }
  }
}

/**
 * The fakes record every call for the tests to search; a benchmark makes tens of
 * thousands, so it empties the records between runs to keep their memory flat.
 */
export function forgetCalls(slack: FakeSlack, adh: FakeAdh): void {
  slack.calls.length = 0;
  slack.responses.length = 0;
  adh.calls.length = 0;
}

/** The request id on the Reveal button of a "Client created" DM, if `call` is one. */
function revealedRequestId(call: RecordedCall): string | undefined {
  if (call.method !== "chat.postMessage" || call.args.channel !== USERS.requester) return;
  const blocks = Array.isArray(call.args.blocks) ? call.args.blocks : [];
  for (const block of blocks as { elements?: { action_id?: string; value?: string }[] }[]) {
    const button = block.elements?.find((e) => e.action_id === REVEAL);
    if (button?.value) return button.value;
  }
  return undefined;
}

/** Waits until each of `requestIds` has its Reveal DM; returns the fake's time of each. */
export async function revealDmTimes(
  slack: FakeSlack,
  requestIds: readonly string[],
  maxMs = 180_000,
): Promise<Map<string, number>> {
  const wanted = new Set(requestIds);
  const found = new Map<string, number>();
  let scanned = 0;
  const deadline = performance.now() + maxMs;
  while (found.size < wanted.size) {
    for (; scanned < slack.calls.length; scanned++) {
      const call = slack.calls[scanned] as RecordedCall;
      const id = revealedRequestId(call);
      if (id !== undefined && wanted.has(id) && !found.has(id)) found.set(id, call.at);
    }
    if (found.size >= wanted.size) break;
    if (performance.now() > deadline) {
      throw new Error(`only ${found.size} of ${wanted.size} Reveal DMs arrived in ${maxMs} ms`);
    }
    await sleep(50);
  }
  return found;
}
