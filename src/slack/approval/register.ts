// The approvers' journey: Approve, Deny (with its reason modal) and Retry on the
// approvals message. Each acks first, then makes one use-case call.
import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { hasBidiControl } from "../../requests/validation.js";
import { APPROVE, BLOCK, DENY, DENY_FORM, RETRY } from "../ids.js";
import { friendlyFailure, onButton, tell } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { answerClick, refusalText } from "../request-card/refusals.js";
import { buildDenyReasonView, readDenyReason } from "./deny-view.js";

export function register(app: App, deps: JourneyDeps): void {
  const { workflow } = deps;

  onButton(app, deps, APPROVE, async ({ value, body, respond }) => {
    await answerClick(respond, body.user.id, await workflow.approve(value, body.user.id));
  });

  onButton(app, deps, DENY, async ({ value, body, respond, client }) => {
    // Open the reason modal while the trigger_id is fresh; the decision happens on submit.
    if (!(await workflow.mayDecideOn(value, body.user.id))) {
      await tell(respond, refusalText({ code: "not-approver" }, body.user.id));
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildDenyReasonView({ requestId: value }),
    });
  });

  onButton(app, deps, RETRY, async ({ value, body, respond }) => {
    await answerClick(respond, body.user.id, await workflow.retry(value, body.user.id));
  });

  app.view(DENY_FORM, async ({ ack, body, view, client }) => {
    const reason = readDenyReason(view.state.values);
    if (hasBidiControl(reason)) {
      await ack({ response_action: "errors", errors: { [BLOCK.denyReason]: BIDI_ERROR } });
      return;
    }
    await ack();
    const requestId = view.private_metadata;
    try {
      const outcome = await workflow.deny(requestId, body.user.id, reason);
      if (!outcome.ok) {
        await tellPrivately(client, body.user.id, refusalText(outcome.refusal, body.user.id));
      }
    } catch (error) {
      await tellPrivately(client, body.user.id, friendlyFailure(error)).catch(() => undefined);
    }
  });
}

const BIDI_ERROR =
  "Reason contains invisible text-direction characters (such as U+202E), which make text read differently than it is; retype it without them";

/** A modal has no response_url: a DM from the bot carries the answer. */
async function tellPrivately(client: WebClient, userId: string, text: string): Promise<void> {
  await client.chat.postMessage({ channel: userId, text });
}
