// Pane 1, "Add Client": the ADH portal's fields and words; reading them back; and
// validation errors placed on their blocks.
import type { ModalView } from "@slack/types";
import {
  type ClientFormField,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_TOKEN_LIFETIME,
  MAX_URLS,
  MIN_TOKEN_LIFETIME,
  type RawClientForm,
} from "../../requests/validation.js";
import { BLOCK, CLIENT_FORM, INPUT_ACTION, OPTION } from "../ids.js";
import { checkbox, input, plain } from "../kit/blocks.js";
import { LIMITS, truncate } from "../kit/limits.js";
import { isChannelId } from "../kit/mrkdwn.js";
import {
  byBlock,
  element,
  isChecked,
  stringField,
  textValue,
  type ViewStateValues,
} from "../kit/view-state.js";
import { formMetadata } from "./metadata.js";

export interface ClientFormOptions {
  /** Typed after `/hybrid-client add`. */
  initialName?: string;
  /** Key of the draft in the store that pane 2 completes. */
  requestKey: string;
  /** Where the command was typed: the reminder channel's default. */
  channelId?: string;
}

export function buildClientFormView(opts: ClientFormOptions): ModalView {
  const initialName = opts.initialName?.trim();
  // Only channels can hold reminders; a DM id here would be filtered out of the picker anyway.
  const channel =
    opts.channelId !== undefined && isChannelId(opts.channelId) && !opts.channelId.startsWith("D")
      ? opts.channelId
      : undefined;
  return {
    type: "modal",
    callback_id: CLIENT_FORM,
    private_metadata: formMetadata({ requestKey: opts.requestKey, channelId: opts.channelId }),
    title: plain("Add Client"),
    submit: plain("Next"),
    close: plain("Cancel"),
    blocks: [
      input(BLOCK.name, "Name", {
        type: "plain_text_input",
        action_id: INPUT_ACTION.name,
        max_length: MAX_NAME_LENGTH,
        // initial_value longer than max_length makes Slack reject the whole view.
        ...(initialName ? { initial_value: truncate(initialName, MAX_NAME_LENGTH) } : {}),
        placeholder: plain("e.g. Plant A data gateway"),
        focus_on_load: !initialName,
      }),
      input(
        BLOCK.allowRefreshToken,
        "Allow Refresh Token",
        checkbox(
          INPUT_ACTION.allowRefreshToken,
          OPTION.allowRefreshToken,
          "Allow Refresh Token",
          "Lets the client stay signed in with refresh tokens",
        ),
        { optional: true },
      ),
      input(
        BLOCK.redirectUris,
        "Allowed Redirect URL(s)",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.redirectUris,
          multiline: true,
          max_length: LIMITS.plainTextInputMaxLength,
          placeholder: plain("https://app.example.com/callback"),
          ...(initialName ? { focus_on_load: true } : {}),
        },
        { hint: `One URL per line, at most ${MAX_URLS}` },
      ),
      input(
        BLOCK.logoutRedirectUris,
        "Allowed Logout Redirect URL(s)",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.logoutRedirectUris,
          multiline: true,
          max_length: LIMITS.plainTextInputMaxLength,
          placeholder: plain("https://app.example.com/signed-out"),
        },
        { optional: true, hint: `One URL per line, at most ${MAX_URLS}` },
      ),
      tokenLifetimeInput(MAX_TOKEN_LIFETIME),
      input(
        BLOCK.reminderChannel,
        "Reminder channel",
        {
          type: "conversations_select",
          action_id: INPUT_ACTION.reminderChannel,
          default_to_current_conversation: true,
          // Set explicitly too: after a views.update the "current conversation" may be unknown.
          ...(channel ? { initial_conversation: channel } : {}),
          filter: { include: ["public", "private"], exclude_bot_users: true },
          placeholder: plain("Pick a channel"),
        },
        { hint: "Where reminders go before this client's secret expires" },
      ),
      input(
        BLOCK.reason,
        "Reason",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.reason,
          multiline: true,
          max_length: MAX_REASON_LENGTH,
        },
        { optional: true, hint: "Shown to approvers" },
      ),
    ],
  };
}

export function readClientForm(values: ViewStateValues | null | undefined): RawClientForm {
  return {
    name: textValue(values, BLOCK.name),
    allowRefreshToken: isChecked(values, BLOCK.allowRefreshToken, OPTION.allowRefreshToken),
    redirectUris: textValue(values, BLOCK.redirectUris),
    logoutRedirectUris: textValue(values, BLOCK.logoutRedirectUris),
    tokenLifetime: textValue(values, BLOCK.tokenLifetime),
    reminderChannel: stringField(element(values, BLOCK.reminderChannel), "selected_conversation"),
    reason: textValue(values, BLOCK.reason),
  };
}

// Domain field → the block that shows its error.
const CLIENT_FIELD_BLOCK: Record<ClientFormField, string> = {
  name: BLOCK.name,
  redirectUris: BLOCK.redirectUris,
  logoutRedirectUris: BLOCK.logoutRedirectUris,
  tokenLifetime: BLOCK.tokenLifetime,
  reminderChannel: BLOCK.reminderChannel,
  reason: BLOCK.reason,
};

/** `errors` for `response_action: "errors"`, keyed by block id. */
export function clientFormErrors(
  errors: Partial<Record<ClientFormField, string>>,
): Record<string, string> {
  return byBlock(errors, CLIENT_FIELD_BLOCK);
}

/** The portal's Token Lifetime field; the Edit Client form shows the same one, prefilled. */
export function tokenLifetimeInput(initialSeconds: number) {
  return input(
    BLOCK.tokenLifetime,
    "Token Lifetime",
    {
      type: "number_input",
      action_id: INPUT_ACTION.tokenLifetime,
      is_decimal_allowed: false,
      min_value: String(MIN_TOKEN_LIFETIME),
      max_value: String(MAX_TOKEN_LIFETIME),
      initial_value: String(initialSeconds),
    },
    { hint: `Seconds, ${MIN_TOKEN_LIFETIME} to ${MAX_TOKEN_LIFETIME}` },
  );
}
