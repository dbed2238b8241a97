// The requester's journey after submitting: Cancel on the receipt (or the status list)
// and `/hybrid-client status`.
import type { App } from "@slack/bolt";
import { CANCEL } from "../ids.js";
import { afterAck, onButton } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { answerClick } from "../request-card/refusals.js";
import { buildStatusList } from "./messages.js";
import { withUnrevealed } from "./unrevealed.js";

export function register(app: App, deps: JourneyDeps): void {
  const { workflow } = deps;

  onButton(app, deps, CANCEL, async ({ value, body, respond }) => {
    const outcome = await workflow.cancel(value, body.user.id);
    await answerClick(respond, body.user.id, outcome, "Your request was cancelled.");
  });

  deps.commands.on("status", async ({ command, ack, respond }) => {
    await ack();
    await afterAck(deps, "status", respond, async () => {
      const [requests, unrevealed] = await Promise.all([
        workflow.openRequestsOf(command.user_id),
        workflow.unrevealedOf(command.user_id),
      ]);
      const status = withUnrevealed(buildStatusList(requests), unrevealed, deps.now());
      await respond({ response_type: "ephemeral", ...status });
    });
  });
}
