// The request journey: `/hybrid-client add` and `secret`, a reminder's Request new secret
// button, and the form's two panes. Field errors go back inline inside the 3 s ack;
// anything that needs the network (role check, ADH, posting for approval) happens after.
import type { App, ViewOutput } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { newClientDraft } from "../../requests/submit.js";
import {
  defaultExpirationDate,
  validateClientForm,
  validateSecretForm,
} from "../../requests/validation.js";
import {
  BLOCK,
  CLIENT_FORM,
  CLIENT_MENU,
  CLIENT_MENU_ACTION,
  HOME_REQUEST,
  REQUEST_NEW_SECRET,
  REQUEST_SHORTCUT,
  SECRET_FORM,
} from "../ids.js";
import { friendlyFailure, onButton } from "../kit/ack.js";
import type { JourneyDeps } from "../kit/context.js";
import { onMenuChoice } from "../kit/menu.js";
import { buildNoticeView } from "../kit/notice.js";
import { clientFormErrors, readClientForm } from "../request-form/client-pane.js";
import { readFormMetadata } from "../request-form/metadata.js";
import { clientPolicyErrors, secretPolicyErrors } from "../request-form/policy-words.js";
import {
  REPLACE_REQUIRED_ERROR,
  readReplaceChoice,
  replaceRequiredIn,
} from "../request-form/replace-secret.js";
import {
  buildSecretFormView,
  readSecretForm,
  secretFormErrors,
} from "../request-form/secret-pane.js";
import { newFormKey, openClientForm, openRotationForm } from "./open-forms.js";
import { sentForApprovalText, submitRefusalText } from "./wording.js";

export function register(app: App, deps: JourneyDeps): void {
  const { workflow } = deps;

  deps.commands.on("add", async ({ command, ack, respond, client, rest }) => {
    await ack();
    await openClientForm(deps, client, respond, {
      triggerId: command.trigger_id,
      userId: command.user_id,
      channelId: command.channel_id,
      initialName: rest,
    });
  });

  deps.commands.on("secret", async ({ command, ack, respond, client, rest }) => {
    await ack();
    await openRotationForm(deps, client, respond, {
      triggerId: command.trigger_id,
      userId: command.user_id,
      channelId: command.channel_id,
      clientId: rest.split(/\s+/)[0] ?? "",
    });
  });

  // The global shortcut and Home's button open the same form as `add` (no response_url).
  app.shortcut(REQUEST_SHORTCUT, async ({ shortcut, ack, client }) => {
    await ack();
    await openClientForm(deps, client, undefined, {
      triggerId: shortcut.trigger_id,
      userId: shortcut.user.id,
    });
  });

  onButton(app, deps, HOME_REQUEST, async ({ body, client }) => {
    await openClientForm(deps, client, undefined, {
      triggerId: body.trigger_id,
      userId: body.user.id,
    });
  });

  onButton(app, deps, REQUEST_NEW_SECRET, async ({ value, body, respond, client }) => {
    await openRotationForm(deps, client, respond, {
      triggerId: body.trigger_id,
      userId: body.user.id,
      channelId: body.channel?.id,
      clientId: value,
    });
  });

  // The `list` message's menu: New secret opens the same form as `secret <id>`.
  onMenuChoice(app, deps, CLIENT_MENU, [CLIENT_MENU_ACTION.newSecret], async (args, { target }) => {
    await openRotationForm(deps, args.client, args.respond, {
      triggerId: args.body.trigger_id,
      userId: args.body.user.id,
      channelId: args.body.channel?.id,
      clientId: target,
    });
  });

  app.view(CLIENT_FORM, async ({ ack, body, view }) => {
    const checked = validateClientForm(readClientForm(view.state.values));
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: clientFormErrors(checked.errors) });
      return;
    }
    const refused = clientPolicyErrors(checked.value, workflow.policy);
    if (refused) {
      await ack({ response_action: "errors", errors: refused });
      return;
    }
    // Metadata that is not ours must not file every such draft under one shared "" key.
    const key = formKeyOf(view) || newFormKey();
    try {
      await workflow.saveDraft(key, newClientDraft(body.user.id, checked.value));
    } catch (error) {
      // Keep the modal (and everything typed) open: the user can press Next again.
      await ack({ response_action: "errors", errors: { [BLOCK.name]: friendlyFailure(error) } });
      return;
    }
    await ack({
      response_action: "update",
      view: buildSecretFormView({
        requestKey: key,
        defaultExpiration: defaultExpirationDate(new Date(deps.now())),
      }),
    });
  });

  app.view(SECRET_FORM, async ({ ack, body, view, client }) => {
    const checked = validateSecretForm(readSecretForm(view.state.values), new Date(deps.now()));
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: secretFormErrors(checked.errors) });
      return;
    }
    const refused = secretPolicyErrors(checked.value, workflow.policy, new Date(deps.now()));
    if (refused) {
      await ack({ response_action: "errors", errors: refused });
      return;
    }
    const replaceSecretId = readReplaceChoice(view.state.values);
    if (replaceSecretId === undefined && replaceRequiredIn(view.blocks)) {
      await ack({
        response_action: "errors",
        errors: { [BLOCK.replaceSecret]: REPLACE_REQUIRED_ERROR },
      });
      return;
    }
    await ack({
      response_action: "update",
      view: buildNoticeView(
        "Submitting",
        "Checking your role in AVEVA Data Hub and sending the request for approval…",
      ),
    });
    const notice = (title: string, text: string) => showNotice(client, view.id, title, text);
    try {
      const submitted = await workflow.submitDraft(
        formKeyOf(view),
        body.user.id,
        checked.value,
        replaceSecretId,
      );
      if (!submitted.ok) {
        await notice("Not submitted", submitRefusalText(submitted.refusal));
        return;
      }
      await notice("Sent for approval", sentForApprovalText(submitted.request));
    } catch (error) {
      deps.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        "submit failed",
      );
      await notice("Not submitted", friendlyFailure(error)).catch(() => undefined);
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
