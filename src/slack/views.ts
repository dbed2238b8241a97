// Modal views: the two form panes (same fields and words as the ADH portal), the deny
// reason, and plain notices; plus reading submitted values back out of view.state.
// Only ids travel in private_metadata; the draft itself lives in the store.
import type {
  Checkboxes,
  ContextBlock,
  InputBlock,
  InputBlockElement,
  ModalView,
  PlainTextElement,
  SectionBlock,
} from "@slack/types";
import {
  type ClientFormField,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_TOKEN_LIFETIME,
  MAX_URLS,
  MIN_TOKEN_LIFETIME,
  type RawClientForm,
  type RawSecretForm,
  type SecretFormField,
} from "../requests/validation.js";
import { BLOCK, CLIENT_FORM, DENY_FORM, INPUT_ACTION, OPTION, SECRET_FORM } from "./ids.js";
import { LIMITS, truncate } from "./limits.js";
import { escapeMrkdwn, isChannelId, truncateMrkdwn } from "./mrkdwn.js";

/** `view.state.values`: block id → action id → element state. */
export type ViewStateValues = Readonly<
  Record<string, Readonly<Record<string, unknown>> | undefined>
>;

/** What pane 1 and pane 2 carry in private_metadata (ids only). */
export interface FormMetadata {
  requestKey: string;
  channelId?: string;
}

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
      input(
        BLOCK.tokenLifetime,
        "Token Lifetime",
        {
          type: "number_input",
          action_id: INPUT_ACTION.tokenLifetime,
          is_decimal_allowed: false,
          min_value: String(MIN_TOKEN_LIFETIME),
          max_value: String(MAX_TOKEN_LIFETIME),
          initial_value: String(MAX_TOKEN_LIFETIME),
        },
        { hint: `Seconds, ${MIN_TOKEN_LIFETIME} to ${MAX_TOKEN_LIFETIME}` },
      ),
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

export interface SecretFormOptions {
  requestKey: string;
  /** Set when rotating the secret of an existing client: says which one. */
  clientName?: string;
  /** YYYY-MM-DD; see defaultExpirationDate(). */
  defaultExpiration: string;
}

export function buildSecretFormView(opts: SecretFormOptions): ModalView {
  const about: ContextBlock[] =
    opts.clientName !== undefined
      ? [
          {
            type: "context",
            elements: [
              {
                type: "mrkdwn",
                text: `New secret for client *${escapeMrkdwn(opts.clientName, LIMITS.sectionText - 30)}*`,
              },
            ],
          },
        ]
      : [];
  // A malformed initial_date makes Slack reject the view; better an empty picker.
  const initialDate = /^\d{4}-\d{2}-\d{2}$/.test(opts.defaultExpiration)
    ? { initial_date: opts.defaultExpiration }
    : {};
  return {
    type: "modal",
    callback_id: SECRET_FORM,
    private_metadata: formMetadata({ requestKey: opts.requestKey }),
    title: plain("Create Secret"),
    submit: plain("Submit for approval"),
    close: plain("Cancel"),
    blocks: [
      ...about,
      input(
        BLOCK.description,
        "Description",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.description,
          max_length: MAX_DESCRIPTION_LENGTH,
          focus_on_load: true,
        },
        { optional: true },
      ),
      input(
        BLOCK.expirationDate,
        "Expiration Date",
        { type: "datepicker", action_id: INPUT_ACTION.expirationDate, ...initialDate },
        { hint: "The secret stops working at the end of this day (UTC)" },
      ),
      input(
        BLOCK.neverExpires,
        "Never Expires",
        checkbox(
          INPUT_ACTION.neverExpires,
          OPTION.neverExpires,
          "Never Expires",
          "Not recommended: the secret is valid until deleted",
        ),
        { optional: true },
      ),
    ],
  };
}

/**
 * A view with one message and a Close button: "You need the Tenant Administrator role…",
 * "ADH could not be reached…", "Submitted". `text` is mrkdwn built by the caller: escape
 * anything a user typed with escapeMrkdwn().
 */
export function buildNoticeView(title: string, text: string): ModalView {
  const body: SectionBlock = {
    type: "section",
    text: { type: "mrkdwn", text: truncateMrkdwn(text.trim() || title, LIMITS.sectionText) },
  };
  return {
    type: "modal",
    title: plain(truncate(title, LIMITS.modalTitle)),
    close: plain("Close"),
    blocks: [body],
  };
}

export function buildDenyReasonView(opts: { requestId: string }): ModalView {
  return {
    type: "modal",
    callback_id: DENY_FORM,
    private_metadata: opts.requestId,
    title: plain("Deny request"),
    submit: plain("Deny"),
    close: plain("Back"),
    blocks: [
      input(
        BLOCK.denyReason,
        "Reason",
        {
          type: "plain_text_input",
          action_id: INPUT_ACTION.denyReason,
          multiline: true,
          max_length: MAX_REASON_LENGTH,
          focus_on_load: true,
        },
        { optional: true, hint: "Shown to the requester and in the approvals channel" },
      ),
    ],
  };
}

// ---------------------------------------------------------------------------------------
// Reading submissions. Tolerant: a missing block or an unexpected shape reads as empty,
// and validation then says what is missing.

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

export function readSecretForm(values: ViewStateValues | null | undefined): RawSecretForm {
  return {
    description: textValue(values, BLOCK.description),
    expirationDate: stringField(element(values, BLOCK.expirationDate), "selected_date"),
    neverExpires: isChecked(values, BLOCK.neverExpires, OPTION.neverExpires),
  };
}

/** The deny modal's reason, trimmed; "" when none was given. */
export function readDenyReason(values: ViewStateValues | null | undefined): string {
  return (textValue(values, BLOCK.denyReason) ?? "").trim();
}

/** The ids pane 1 or pane 2 carried; null when private_metadata is not ours. */
export function readFormMetadata(privateMetadata: string | undefined): FormMetadata | null {
  try {
    const parsed: unknown = JSON.parse(privateMetadata ?? "");
    if (typeof parsed !== "object" || parsed === null) return null;
    const { k, c } = parsed as { k?: unknown; c?: unknown };
    if (typeof k !== "string" || k === "") return null;
    return typeof c === "string" ? { requestKey: k, channelId: c } : { requestKey: k };
  } catch {
    return null;
  }
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
const SECRET_FIELD_BLOCK: Record<SecretFormField, string> = {
  description: BLOCK.description,
  expirationDate: BLOCK.expirationDate,
};

/** `errors` for `response_action: "errors"`, keyed by block id. */
export function clientFormErrors(
  errors: Partial<Record<ClientFormField, string>>,
): Record<string, string> {
  return byBlock(errors, CLIENT_FIELD_BLOCK);
}

/** `errors` for `response_action: "errors"`, keyed by block id. */
export function secretFormErrors(
  errors: Partial<Record<SecretFormField, string>>,
): Record<string, string> {
  return byBlock(errors, SECRET_FIELD_BLOCK);
}

// ---------------------------------------------------------------------------------------

function byBlock<F extends string>(
  errors: Partial<Record<F, string>>,
  blocks: Record<F, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of Object.keys(errors) as F[]) {
    const message = errors[field];
    if (message !== undefined && Object.hasOwn(blocks, field)) out[blocks[field]] = message;
  }
  return out;
}

function formMetadata(meta: FormMetadata): string {
  return JSON.stringify(
    meta.channelId ? { k: meta.requestKey, c: meta.channelId } : { k: meta.requestKey },
  );
}

const plain = (text: string): PlainTextElement => ({ type: "plain_text", text, emoji: true });

function input(
  blockId: string,
  label: string,
  element: InputBlockElement,
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: plain(label),
    element,
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  };
}

function checkbox(actionId: string, value: string, text: string, description: string): Checkboxes {
  return {
    type: "checkboxes",
    action_id: actionId,
    options: [{ text: plain(text), value, description: plain(description) }],
  };
}

/** The element state of an input block; by its action id, else the block's only element. */
function element(values: ViewStateValues | null | undefined, blockId: string): unknown {
  const block = isRecord(values) ? values[blockId] : undefined;
  if (!isRecord(block)) return undefined;
  return block[blockId] ?? Object.values(block)[0];
}

function textValue(values: ViewStateValues | null | undefined, blockId: string): string | null {
  return stringField(element(values, blockId), "value");
}

function stringField(state: unknown, key: string): string | null {
  if (!isRecord(state)) return null;
  const v = state[key];
  return typeof v === "string" ? v : null;
}

function isChecked(values: ViewStateValues | null | undefined, blockId: string, option: string) {
  const state = element(values, blockId);
  const selected = isRecord(state) ? state.selected_options : undefined;
  return Array.isArray(selected) && selected.some((o) => isRecord(o) && o.value === option);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
