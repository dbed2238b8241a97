// The Home journey: app_home_opened publishes the person's Home; Approve and Cancel on
// Home go through the same use cases (and atomic path) as the channel message and the
// receipt. Home has no response_url: a refusal is told by DM, success by the refreshed
// Home (and the approvals message, which the use case updates).
import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { ClickOutcome } from "../../requests/outcomes.js";
import { HOME_APPROVE, HOME_CANCEL } from "../ids.js";
import { onButton } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { refusalText } from "../request-card/refusals.js";

export function register(app: App, deps: JourneyDeps): void {
  const { workflow, home } = deps;
  if (!home) return;

  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    try {
      await home.opened(event.user);
    } catch (error) {
      deps.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "Home not published",
      );
    }
  });

  onButton(app, deps, HOME_APPROVE, async ({ value, body, client }) => {
    await answerOnHome(client, body.user.id, await workflow.approve(value, body.user.id));
  });

  onButton(app, deps, HOME_CANCEL, async ({ value, body, client }) => {
    await answerOnHome(client, body.user.id, await workflow.cancel(value, body.user.id));
  });
}

async function answerOnHome(client: WebClient, userId: string, outcome: ClickOutcome) {
  if (outcome.ok) return;
  await client.chat.postMessage({ channel: userId, text: refusalText(outcome.refusal, userId) });
}
