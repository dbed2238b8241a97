// The requester's Reveal click: the one-time secret goes straight to this click's
// response_url (ephemeral, to the clicker only) — never through the Web API client,
// whose debug log would see it.
import type { App } from "@slack/bolt";
import { request } from "undici";
import { REVEAL } from "../ids.js";
import { onButton, tell } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { refusalText } from "../request-card/refusals.js";
import { buildSecretReveal, mintFailedText } from "./messages.js";
import { registerRetire } from "./retire.js";

export function register(app: App, deps: JourneyDeps): void {
  registerRetire(app, deps);
  onButton(app, deps, REVEAL, async ({ value, body, respond }) => {
    const outcome = await deps.workflow.reveal(value, body.user.id);
    if (!outcome.ok) {
      const text =
        "refusal" in outcome
          ? refusalText(outcome.refusal, body.user.id)
          : mintFailedText(outcome.mintFailed);
      await tell(respond, text);
      return;
    }
    try {
      await postToResponseUrl(body.response_url, buildSecretReveal(outcome));
    } catch (error) {
      // Undelivered means unseen: delete it and let the requester click again.
      await deps.workflow.revokeUndelivered(value, body.user.id, outcome.secretId);
      throw error;
    }
  });
}

async function postToResponseUrl(url: string, body: object): Promise<void> {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  await res.body.dump();
  if (res.statusCode >= 300) throw new Error(`response_url answered ${res.statusCode}`);
}
