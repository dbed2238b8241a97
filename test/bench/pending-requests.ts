// Distinct pending requests for the Approve clicks, made the way pane 2 makes them
// (RequestWorkflow.submit: requester check, store, approvals message on the fake Slack),
// so every click is a real first approval that starts a real create.
import type { RequestWorkflow } from "../../src/requests/workflow.js";
import { USERS } from "../support/harness.js";
import type { PendingRef } from "./slack-requests.js";

export async function createPendingRequests(
  workflow: RequestWorkflow,
  count: number,
  label: string,
  concurrency = 16,
): Promise<PendingRef[]> {
  const expiration = new Date(Date.now() + 200 * 86_400_000).toISOString();
  const out = new Array<PendingRef>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const submitted = await workflow.submit({
        kind: "new-client",
        requesterId: USERS.requester,
        reason: "Benchmark: a real approval that starts a real create",
        client: {
          name: `bench-${label}-${i}`,
          allowOfflineAccess: false,
          redirectUris: ["https://bench.example.com/callback"],
          postLogoutRedirectUris: [],
          accessTokenLifetime: 3600,
        },
        secret: { description: "bench", expiration },
        reminderChannel: "C0GENERAL1",
      });
      const ref = submitted.ok ? submitted.request.approvalMessage : undefined;
      if (!submitted.ok || !ref) {
        throw new Error(`pending request ${i} was not created: ${JSON.stringify(submitted)}`);
      }
      out[i] = { requestId: submitted.request.id, ts: ref.ts };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
