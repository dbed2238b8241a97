// Modal submissions. Field errors go back inline inside the 3 s ack; anything that needs
// the network (role check, ADH, posting for approval) happens after the ack.
import type { App, ViewOutput } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import {
  defaultExpirationDate,
  validateClientForm,
  validateSecretForm,
} from "../../requests/validation.js";
import { friendlyFailure } from "../failure.js";
import { BLOCK, CLIENT_FORM, DENY_FORM, SECRET_FORM } from "../ids.js";
import { channelLink, escapeMrkdwn } from "../mrkdwn.js";
import { refusalText } from "../refusals.js";
import {
  buildNoticeView,
  buildSecretFormView,
  clientFormErrors,
  readClientForm,
  readDenyReason,
  readFormMetadata,
  readSecretForm,
  secretFormErrors,
} from "../views.js";
import { type ListenerContext, newFormKey } from "./context.js";

export function registerForms(app: App, ctx: ListenerContext): void {
  app.view(CLIENT_FORM, async ({ ack, body, view }) => {
    const checked = validateClientForm(readClientForm(view.state.values));
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: clientFormErrors(checked.errors) });
      return;
    }
    // Metadata that is not ours must not file every such draft under one shared "" key.
    const key = formKeyOf(view) || newFormKey();
    const { reminderChannel, reason, ...client } = checked.value;
    try {
      await ctx.workflow.saveDraft(key, {
        kind: "new-client",
        requesterId: body.user.id,
        reminderChannel,
        reason,
        client,
      });
    } catch (error) {
      // Keep the modal (and everything typed) open: the user can press Next again.
      await ack({ response_action: "errors", errors: { [BLOCK.name]: friendlyFailure(error) } });
      return;
    }
    await ack({
      response_action: "update",
      view: buildSecretFormView({
        requestKey: key,
        defaultExpiration: defaultExpirationDate(new Date(ctx.now())),
      }),
    });
  });

  app.view(SECRET_FORM, async ({ ack, body, view, client }) => {
    const checked = validateSecretForm(readSecretForm(view.state.values), new Date(ctx.now()));
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: secretFormErrors(checked.errors) });
      return;
    }
    await ack({
      response_action: "update",
      view: buildNoticeView(
        "Submitting",
        "Checking your role in AVEVA Data Hub and sending the request for approval…",
      ),
    });
    const viewId = view.id;
    const notice = (title: string, text: string) => showNotice(client, viewId, title, text);
    try {
      const submitted = await ctx.workflow.submitDraft(
        formKeyOf(view),
        body.user.id,
        checked.value,
      );
      if (!submitted.ok) {
        await notice("Not submitted", submitted.message);
        return;
      }
      const where = submitted.request.approvalMessage?.channel;
      await notice(
        "Sent for approval",
        `Your request for *${escapeMrkdwn(submitted.request.client.name)}* was sent for approval${where ? ` in ${channelLink(where)}` : ""}. You will get a direct message when it is decided. \`/hybrid-client status\` shows your open requests.`,
      );
    } catch (error) {
      ctx.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "submit failed",
      );
      await notice("Not submitted", friendlyFailure(error)).catch(() => undefined);
    }
  });

  app.view(DENY_FORM, async ({ ack, body, view, client }) => {
    await ack();
    const requestId = view.private_metadata;
    const reason = readDenyReason(view.state.values);
    try {
      const outcome = await ctx.workflow.deny(requestId, body.user.id, reason);
      if (!outcome.ok) {
        await tellPrivately(client, body.user.id, refusalText(outcome.refusal, body.user.id));
      }
    } catch (error) {
      await tellPrivately(client, body.user.id, friendlyFailure(error)).catch(() => undefined);
    }
  });
}

/** The draft key the panes carry in private_metadata ("" when it is not ours). */
function formKeyOf(view: ViewOutput): string {
  return readFormMetadata(view.private_metadata)?.requestKey ?? "";
}

async function showNotice(
  client: WebClient,
  viewId: string,
  title: string,
  text: string,
): Promise<void> {
  await client.views.update({ view_id: viewId, view: buildNoticeView(title, text) });
}

/** A modal has no response_url: a DM from the bot carries the answer. */
async function tellPrivately(client: WebClient, userId: string, text: string): Promise<void> {
  await client.chat.postMessage({ channel: userId, text });
}
