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
import { APPROVE, CANCEL, DENY, REQUEST_NEW_SECRET, RETRY, REVEAL } from "../ids.js";
import { buildSecretReveal } from "../messages.js";
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
    const outcome = await ctx.workflow.approve(value, body.user.id);
    await answer(respond, outcome);
  });

  onClick(DENY, async ({ value, body, respond, client }) => {
    // Open the reason modal while the trigger_id is fresh; the decision happens on submit.
    if (!(await ctx.workflow.mayDecide(body.user.id))) {
      await tell(respond, "Only the configured approvers can approve or deny requests.");
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildDenyReasonView({ requestId: value }),
    });
  });

  onClick(CANCEL, async ({ value, body, respond }) => {
    await answer(respond, await ctx.workflow.cancel(value, body.user.id));
  });

  onClick(RETRY, async ({ value, body, respond }) => {
    await answer(respond, await ctx.workflow.retry(value, body.user.id));
  });

  onClick(REVEAL, async ({ value, body, respond }) => {
    const outcome = await ctx.workflow.reveal(value, body.user.id);
    if (!outcome.ok) {
      await tell(respond, outcome.message);
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

async function answer(
  respond: RespondFn,
  outcome: { ok: boolean; message?: string },
): Promise<void> {
  if (outcome.message) await tell(respond, outcome.message);
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
