// The requester's Reveal click: the one-time secret goes straight to this click's
// response_url (ephemeral, to the clicker only) — never through the Web API client,
// whose debug log would see it.
import type { App } from "@slack/bolt";
import { request } from "undici";
import { REVEAL } from "../ids.js";
import { onButton, tell } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { isAllowedResponseUrl, responseUrlOrigins } from "../kit/response-url.js";
import { refusalText } from "../request-card/refusals.js";
import {
  buildSecretReveal,
  mintFailedText,
  revealExpiredText,
  revealRefusedText,
} from "./messages.js";
import { registerRetire } from "./retire.js";

export function register(app: App, deps: JourneyDeps): void {
  registerRetire(app, deps);
  const origins = deps.responseUrlOrigins ?? responseUrlOrigins(undefined);
  onButton(app, deps, REVEAL, async ({ value, body, respond }) => {
    // A response_url not on Slack's origin gets no secret: nothing is minted at all (and
    // respond() would go to the same place, so nothing is said either).
    if (!isAllowedResponseUrl(body.response_url, origins)) {
      deps.logger.warn({ requestId: value }, "reveal refused: response_url not on Slack's origin");
      return;
    }
    const outcome = await deps.workflow.reveal(value, body.user.id);
    if (!outcome.ok) {
      const text =
        "refusal" in outcome
          ? refusalText(outcome.refusal, body.user.id)
          : "requesterRefused" in outcome
            ? revealRefusedText(outcome.requesterRefused)
            : "revealExpired" in outcome
              ? revealExpiredText(outcome.revealExpired)
              : mintFailedText(outcome.mintFailed);
      await tell(respond, text);
      return;
    }
    try {
      await postToResponseUrl(body.response_url, buildSecretReveal(outcome), origins);
    } catch (error) {
      // Undelivered means unseen: delete it and let the requester click again.
      await deps.workflow.revokeUndelivered(value, body.user.id, outcome.secretId);
      throw error;
    }
  });
}

async function postToResponseUrl(
  url: string,
  body: object,
  origins: readonly string[],
): Promise<void> {
  // Checked again right before the secret leaves: undelivered means the mint is undone.
  if (!isAllowedResponseUrl(url, origins)) throw new Error("response_url not on Slack's origin");
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
