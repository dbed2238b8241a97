// The lifecycle journey: `/hybrid-client edit | disable | enable | delete <client-id>` and
// `delete-secret <client-id> <secret-id>`. The modal opens first (the trigger_id lives
// 3 s), then the requester's role and the client are checked and the form replaces the
// notice. Submits are checked inline inside the ack; the request is stored after it.

import { randomBytes } from "node:crypto";
import type { App, RespondFn } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { LifecycleKind, LifecycleRefusal } from "../../requests/lifecycle.js";
import type { LifecycleSubmitRefusal } from "../../requests/lifecycle-forms.js";
import { KIND } from "../../requests/model.js";
import type { SubmitRefusal } from "../../requests/outcomes.js";
import { validateClientForm } from "../../requests/validation.js";
import {
  BLOCK,
  CLIENT_MENU,
  CLIENT_MENU_ACTION,
  DELETE_CLIENT_FORM,
  DELETE_SECRET_FORM,
  EDIT_FORM,
  OPTION,
  TOGGLE_FORM,
} from "../ids.js";
import { afterAck, tell } from "../kit/ack.js";
import { COMMAND } from "../kit/command.js";
import type { JourneyDeps } from "../kit/context.js";
import { onMenuChoice } from "../kit/menu.js";
import { buildNoticeView } from "../kit/notice.js";
import { isChecked, textValue, type ViewStateValues } from "../kit/view-state.js";
import {
  noSuchClientText,
  notAClientIdText,
  requesterRefusalText,
} from "../request-card/failures.js";
import { TAKES_AN_HOUR } from "../request-card/lifecycle.js";
import { submitRefusalText } from "../request-card/submit-refusals.js";
import { clientFormErrors, readClientForm } from "../request-form/client-pane.js";
import { readFormMetadata } from "../request-form/metadata.js";
import { buildLifecycleView, LIFECYCLE_TITLE } from "./views.js";

const WORDS: [string, LifecycleKind][] = [
  ["edit", KIND.edit],
  ["disable", KIND.disable],
  ["enable", KIND.enable],
  ["delete", KIND.deleteClient],
  ["delete-secret", KIND.deleteSecret],
];

export function register(app: App, deps: JourneyDeps): void {
  for (const [word, kind] of WORDS) {
    deps.commands.on(word, async ({ command, ack, respond, client, rest }) => {
      await ack();
      const [clientId = "", secretText = ""] = rest.split(/\s+/);
      const secretId = kind === KIND.deleteSecret ? Number.parseInt(secretText, 10) : undefined;
      if (!clientId || (secretId !== undefined && !Number.isInteger(secretId))) {
        const usage = kind === KIND.deleteSecret ? "<client-id> <secret-id>" : "<client-id>";
        await tell(
          respond,
          `Usage: \`${COMMAND} ${word} ${usage}\` (\`${COMMAND} list\` shows the ids).`,
        );
        return;
      }
      await openLifecycleForm(deps, client, respond, {
        kind,
        triggerId: command.trigger_id,
        userId: command.user_id,
        channelId: command.channel_id,
        clientId,
        ...(secretId !== undefined ? { secretId } : {}),
      });
    });
  }
  // The `list` message's menu: the same forms as the commands.
  const MENU: Record<string, LifecycleKind> = {
    [CLIENT_MENU_ACTION.edit]: KIND.edit,
    [CLIENT_MENU_ACTION.disable]: KIND.disable,
    [CLIENT_MENU_ACTION.enable]: KIND.enable,
    [CLIENT_MENU_ACTION.delete]: KIND.deleteClient,
  };
  onMenuChoice(
    app,
    deps,
    CLIENT_MENU,
    Object.keys(MENU),
    async ({ body, respond, client }, { action, target }) => {
      const kind = MENU[action];
      if (!kind) return;
      await openLifecycleForm(deps, client, respond, {
        kind,
        triggerId: body.trigger_id,
        userId: body.user.id,
        ...(body.channel?.id ? { channelId: body.channel.id } : {}),
        clientId: target,
      });
    },
  );
  for (const callbackId of [EDIT_FORM, TOGGLE_FORM, DELETE_CLIENT_FORM, DELETE_SECRET_FORM]) {
    app.view(callbackId, async ({ ack, body, view, client }) => {
      const values = view.state.values as ViewStateValues;
      const key = readFormMetadata(view.private_metadata)?.requestKey ?? "";
      const reason = (textValue(values, BLOCK.reason) ?? "").trim();
      if (reason === "") {
        await ack({
          response_action: "errors",
          errors: { [BLOCK.reason]: "Give a reason for the approvers" },
        });
        return;
      }
      let form: Parameters<JourneyDeps["workflow"]["lifecycle"]["submit"]>[2] = { reason };
      if (callbackId === EDIT_FORM) {
        const checked = validateClientForm(readClientForm(values), { reminderChannel: false });
        if (!checked.ok) {
          await ack({ response_action: "errors", errors: clientFormErrors(checked.errors) });
          return;
        }
        const { reminderChannel: _c, reason: _r, ...fields } = checked.value;
        const enabled = isChecked(values, BLOCK.enabled, OPTION.enabled);
        form = { reason, edit: { ...fields, enabled } };
      }
      if (callbackId === DELETE_CLIENT_FORM) {
        form = { reason, confirmName: textValue(values, BLOCK.confirmName) ?? "" };
      }
      // Inline checks need what the form read when it opened: one quick Redis read.
      const draft = await deps.workflow.lifecycle.load(key, body.user.id).catch(() => null);
      const refusal = draft ? deps.workflow.lifecycle.check(draft, form) : null;
      if (refusal) {
        await ack({ response_action: "errors", errors: inlineError(refusal) });
        return;
      }
      await ack({
        response_action: "update",
        view: buildNoticeView(
          "Submitting",
          "Checking your role in AVEVA Data Hub and sending the request for approval…",
        ),
      });
      await afterAck(deps, "submit lifecycle form", undefined, async () => {
        const submitted = await deps.workflow.lifecycle.submit(key, body.user.id, form);
        const notice = submitted.ok
          ? buildNoticeView(
              "Sent for approval",
              `Your request was sent for approval. You will get a direct message when it is decided. ${TAKES_AN_HOUR}`,
            )
          : buildNoticeView("Not submitted", submitRefusalWords(submitted.refusal));
        await client.views.update({ view_id: view.id, view: notice }).catch(() => undefined);
      });
    });
  }
}

function inlineError(refusal: LifecycleSubmitRefusal): Record<string, string> {
  switch (refusal.code) {
    case "nothing-changed":
      return { [BLOCK.name]: "Nothing changed" };
    case "name-mismatch":
      return { [BLOCK.confirmName]: "That is not the client's name: type it exactly to confirm" };
    case "draft-expired":
      return { [BLOCK.reason]: "This form is more than an hour old; close it and start again" };
  }
}

function submitRefusalWords(refusal: SubmitRefusal | LifecycleSubmitRefusal): string {
  switch (refusal.code) {
    case "nothing-changed":
    case "name-mismatch":
      return "Nothing was submitted; check the form and try again.";
    case "requester":
      return requesterRefusalText(refusal.check);
    case "draft-expired":
      return "This form is more than an hour old and was not kept. Nothing was submitted; please start again.";
    case "approval-post-failed":
      return `Your request could not be posted to the approvals channel (${refusal.detail}). Ask the bot's operator to invite the bot there, then submit again.`;
    case "replace-required": // rotation only; never from a lifecycle form
      return "Nothing was submitted; choose the secret to replace.";
    default:
      return submitRefusalText(refusal);
  }
}

export function lifecycleRefusalText(refusal: LifecycleRefusal): string {
  switch (refusal.code) {
    case "not-a-client-id":
      return notAClientIdText();
    case "no-such-client":
      return noSuchClientText(refusal.clientId);
    case "no-such-secret":
      return `Client ${refusal.clientId} has no secret with that id. \`${COMMAND} list\` shows its secrets.`;
    case "already":
      return refusal.enabled
        ? "This client is already enabled: nothing to do, no request was made."
        : "This client is already disabled: nothing to do, no request was made.";
    case "adh-unavailable":
      return `AVEVA Data Hub could not be reached to look up the client (${refusal.detail}). Nothing was submitted; try again in a few minutes.`;
  }
}

/** Opens the kind's form: a notice at once, then the form once the client is read. */
export async function openLifecycleForm(
  deps: JourneyDeps,
  client: WebClient,
  respond: RespondFn | undefined,
  at: {
    kind: LifecycleKind;
    triggerId: string;
    userId: string;
    channelId?: string;
    clientId: string;
    secretId?: number;
  },
): Promise<void> {
  const key = randomBytes(12).toString("base64url");
  await afterAck(deps, "open lifecycle form", respond, async () => {
    const title = LIFECYCLE_TITLE[at.kind];
    const opened = await client.views.open({
      trigger_id: at.triggerId,
      view: buildNoticeView(title, "Looking up the client in AVEVA Data Hub…"),
    });
    const viewId = opened.view?.id;
    if (!viewId) return;
    const [check, prepared] = await Promise.all([
      deps.workflow.checkRequesterForForm(at.userId),
      deps.workflow.lifecycle.open(key, {
        kind: at.kind,
        requesterId: at.userId,
        channelId: at.channelId ?? at.userId,
        clientId: at.clientId,
        ...(at.secretId !== undefined ? { secretId: at.secretId } : {}),
      }),
    ]);
    let view: ModalView;
    if (!check.ok) view = buildNoticeView("Not allowed", requesterRefusalText(check));
    else if (!prepared.ok) view = buildNoticeView(title, lifecycleRefusalText(prepared.refusal));
    else {
      const { client: adhClient, secrets } = prepared.subject;
      view = buildLifecycleView(at.kind, key, adhClient, secrets, at.secretId);
    }
    await client.views.update({ view_id: viewId, view });
  });
}
