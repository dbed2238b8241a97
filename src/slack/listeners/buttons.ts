// Button clicks. Each acks first, then calls one workflow method; a refusal or a late
// click is answered ephemerally to the clicker only.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  RespondFn,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import { request } from "undici";
import type { ClickOutcome } from "../../requests/workflow.js";
import { APPROVE, CANCEL, DENY, REQUEST_NEW_SECRET, RETRY, REVEAL } from "../ids.js";
import { buildSecretReveal } from "../messages.js";
import { mintFailedText, refusalText } from "../refusals.js";
import { buildDenyReasonView } from "../views.js";
import { openRotationForm } from "./commands.js";
import { afterAck, type ListenerContext, tell } from "./context.js";

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function registerButtons(app: App, ctx: ListenerContext): void {
  const onClick = (
    actionId: string,
    handle: (args: ButtonArgs & { value: string }) => Promise<void>,
  ) => {
    app.action<BlockAction<ButtonAction>>(actionId, async (args) => {
      await args.ack();
      const value = args.action.value ?? "";
      await afterAck(ctx, actionId, args.respond, () => handle({ ...args, value }));
    });
  };

  onClick(APPROVE, async ({ value, body, respond }) => {
    await answer(respond, body.user.id, await ctx.workflow.approve(value, body.user.id));
  });

  onClick(DENY, async ({ value, body, respond, client }) => {
    // Open the reason modal while the trigger_id is fresh; the decision happens on submit.
    if (!(await ctx.workflow.mayDecide(body.user.id))) {
      await tell(respond, refusalText({ code: "not-approver" }, body.user.id));
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildDenyReasonView({ requestId: value }),
    });
  });

  onClick(CANCEL, async ({ value, body, respond }) => {
    const outcome = await ctx.workflow.cancel(value, body.user.id);
    await answer(respond, body.user.id, outcome, "Your request was cancelled.");
  });

  onClick(RETRY, async ({ value, body, respond }) => {
    await answer(respond, body.user.id, await ctx.workflow.retry(value, body.user.id));
  });

  onClick(REVEAL, async ({ value, body, respond }) => {
    const outcome = await ctx.workflow.reveal(value, body.user.id);
    if (!outcome.ok) {
      const text =
        "refusal" in outcome
          ? refusalText(outcome.refusal, body.user.id)
          : mintFailedText(outcome.mintFailed);
      await tell(respond, text);
      return;
    }
    // The secret goes straight to this click's response_url (ephemeral, to the
    // clicker only) — never through the Web API client, whose debug log would see it.
    try {
      await postToResponseUrl(body.response_url, buildSecretReveal(outcome));
    } catch (error) {
      // Undelivered means unseen: delete it and let the requester click again.
      await ctx.workflow.revokeUndelivered(value, body.user.id, outcome.secretId);
      throw error;
    }
  });

  onClick(REQUEST_NEW_SECRET, async ({ value, body, respond, client }) => {
    await openRotationForm(ctx, client, respond, {
      triggerId: body.trigger_id,
      userId: body.user.id,
      channelId: body.channel?.id,
      clientId: value,
    });
  });
}

/** Tells the clicker why nothing changed, or `done` when something did and it needs saying. */
async function answer(
  respond: RespondFn,
  clickerId: string,
  outcome: ClickOutcome,
  done?: string,
): Promise<void> {
  if (!outcome.ok) await tell(respond, refusalText(outcome.refusal, clickerId));
  else if (done) await tell(respond, done);
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
