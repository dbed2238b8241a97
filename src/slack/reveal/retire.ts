// The requester's Delete old secret press (issue 11 item 5): the use case decides (the
// requester, once, after the reveal) and the clicker gets an ephemeral answer.
import type { App } from "@slack/bolt";
import { DELETE_OLD_SECRET } from "../ids.js";
import { onButton, tell } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { retireAnswer } from "./retire-messages.js";

export function registerRetire(app: App, deps: JourneyDeps): void {
  onButton(app, deps, DELETE_OLD_SECRET, async ({ value, body, respond }) => {
    const outcome = await deps.workflow.deleteOldSecret(value, body.user.id);
    await tell(respond, retireAnswer(outcome));
  });
}
